package models

import (
	"fmt"
	"math"
	"slices"

	"github.com/logitlab/logitlab/internal/checkpoint"
)

// Checkpoint names of the running feature statistics of a classification head.
const (
	ckptBNMean = "bn.mean/" // + head name
	ckptBNVar  = "bn.var/"
)

// Snapshot returns copies of the WaveNet's parameters, its running feature statistics and the
// optimizer state, named as Trainer.Snapshot names them (plus bn.mean/<head>, bn.var/<head>).
func (t *WaveTrainer) Snapshot() []checkpoint.Tensor {
	n := t.net
	var ts []checkpoint.Tensor
	for i, p := range n.info {
		ts = append(ts, checkpoint.Tensor{Name: ckptParam + p.name, Shape: slices.Clone([]int(p.shape)), Data: slices.Clone(n.values[i].Data().([]float32))})
	}
	for k, prefix := range t.opt.stateNames() {
		for i, p := range n.info {
			ts = append(ts, checkpoint.Tensor{Name: prefix + p.name, Shape: slices.Clone([]int(p.shape)), Data: slices.Clone(t.opt.state(k)[i])})
		}
	}
	for _, h := range n.spec.Heads {
		ts = append(ts,
			checkpoint.Tensor{Name: ckptBNMean + h.Name, Shape: []int{2 * n.spec.Channels}, Data: slices.Clone(n.bnMean[h.Name])},
			checkpoint.Tensor{Name: ckptBNVar + h.Name, Shape: []int{2 * n.spec.Channels}, Data: slices.Clone(n.bnVar[h.Name])})
	}
	return append(ts,
		checkpoint.Tensor{Name: ckptSteps, Shape: []int{4}, Data: encodeUint64(uint64(t.steps))},
		checkpoint.Tensor{Name: ckptLR, Shape: []int{4}, Data: encodeUint64(math.Float64bits(t.lr))})
}

// Restore loads what Snapshot wrote, for a WaveTrainer of the same spec and optimizer. It checks
// every tensor first and changes nothing if one is missing or misshapen.
func (t *WaveTrainer) Restore(ts []checkpoint.Tensor) error {
	n := t.net
	byName := make(map[string]*checkpoint.Tensor, len(ts))
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	type job struct{ dst, src []float32 }
	var jobs []job
	add := func(name string, shape []int, dst []float32) error {
		c, ok := byName[name]
		if !ok {
			return fmt.Errorf("models: restore wavenet: checkpoint has no tensor %q (was it written for another model or optimizer?)", name)
		}
		if !slices.Equal(c.Shape, shape) || len(c.Data) != shapeSize(shape) || len(dst) != len(c.Data) {
			return fmt.Errorf("models: restore wavenet: tensor %q has shape %v, this model needs %v", name, c.Shape, shape)
		}
		jobs = append(jobs, job{dst, c.Data})
		return nil
	}
	for i, p := range n.info {
		if err := add(ckptParam+p.name, p.shape, n.values[i].Data().([]float32)); err != nil {
			return err
		}
	}
	for k, prefix := range t.opt.stateNames() {
		for i, p := range n.info {
			if err := add(prefix+p.name, p.shape, t.opt.state(k)[i]); err != nil {
				return err
			}
		}
	}
	for _, h := range n.spec.Heads {
		c2 := []int{2 * n.spec.Channels}
		if err := add(ckptBNMean+h.Name, c2, n.bnMean[h.Name]); err != nil {
			return err
		}
		if err := add(ckptBNVar+h.Name, c2, n.bnVar[h.Name]); err != nil {
			return err
		}
	}
	var steps, lrBits uint64
	for _, f := range []struct {
		name string
		dst  *uint64
	}{{ckptSteps, &steps}, {ckptLR, &lrBits}} {
		c, ok := byName[f.name]
		if !ok {
			return fmt.Errorf("models: restore wavenet: checkpoint has no tensor %q", f.name)
		}
		v, err := decodeUint64(c.Data)
		if err != nil {
			return fmt.Errorf("models: restore wavenet: tensor %q: %w", f.name, err)
		}
		*f.dst = v
	}
	lr := math.Float64frombits(lrBits)
	if steps > math.MaxInt64 || !(lr >= 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("models: restore wavenet: bad optimizer state (steps %d, lr %v)", steps, lr)
	}
	for _, j := range jobs {
		copy(j.dst, j.src)
	}
	t.steps, t.lr = int64(steps), lr
	return nil
}
