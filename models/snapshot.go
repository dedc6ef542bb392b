package models

import (
	"fmt"
	"math"
	"slices"

	"github.com/logitlab/logitlab/internal/checkpoint"
)

// Checkpoint tensor names. Integers and float64 values are stored as four exact 16-bit chunks
// (see encodeUint64) so they survive float32 storage bit for bit.
const (
	ckptParam = "param/"      // + parameter name: the parameter values
	ckptSteps = "optim/steps" // uint64 step count, 4 chunks
	ckptLR    = "optim/lr"    // float64 bits of the current learning rate, 4 chunks
)

// Snapshot returns copies of all parameters and the optimizer state (moments, step count,
// learning rate) as named tensors, ready for checkpoint.Encode:
//
//	param/<name>        the parameter
//	adam.m/<name>, adam.v/<name>   or   sgd.momentum/<name>
//	optim/steps, optim/lr           (4 values each, see encodeUint64)
func (t *Trainer) Snapshot() []checkpoint.Tensor {
	var ts []checkpoint.Tensor
	for i, p := range t.net.info {
		ts = append(ts, checkpoint.Tensor{Name: ckptParam + p.name, Shape: slices.Clone([]int(p.shape)), Data: slices.Clone(t.net.data(i))})
	}
	for k, prefix := range t.opt.stateNames() {
		for i, p := range t.net.info {
			ts = append(ts, checkpoint.Tensor{Name: prefix + p.name, Shape: slices.Clone([]int(p.shape)), Data: slices.Clone(t.opt.state(k)[i])})
		}
	}
	return append(ts,
		checkpoint.Tensor{Name: ckptSteps, Shape: []int{4}, Data: encodeUint64(uint64(t.steps))},
		checkpoint.Tensor{Name: ckptLR, Shape: []int{4}, Data: encodeUint64(math.Float64bits(t.lr))})
}

// Restore loads parameters and optimizer state from ts, as written by Snapshot of a Trainer
// with the same Spec and optimizer. It checks every tensor first and changes nothing if one is
// missing or has the wrong shape; tensors it does not need are ignored.
func (t *Trainer) Restore(ts []checkpoint.Tensor) error {
	byName := make(map[string]*checkpoint.Tensor, len(ts))
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	get := func(name string, shape []int) ([]float32, error) {
		c, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("models: restore: checkpoint has no tensor %q (was it written for another model or optimizer?)", name)
		}
		if !slices.Equal(c.Shape, shape) || len(c.Data) != shapeSize(shape) {
			return nil, fmt.Errorf("models: restore: tensor %q has shape %v, this model needs %v", name, c.Shape, shape)
		}
		return c.Data, nil
	}
	type copyJob struct{ dst, src []float32 }
	var jobs []copyJob
	for i, p := range t.net.info {
		src, err := get(ckptParam+p.name, p.shape)
		if err != nil {
			return err
		}
		jobs = append(jobs, copyJob{t.net.data(i), src})
	}
	for k, prefix := range t.opt.stateNames() {
		for i, p := range t.net.info {
			src, err := get(prefix+p.name, p.shape)
			if err != nil {
				return err
			}
			jobs = append(jobs, copyJob{t.opt.state(k)[i], src})
		}
	}
	var steps, lrBits uint64
	for _, f := range []struct {
		name string
		dst  *uint64
	}{{ckptSteps, &steps}, {ckptLR, &lrBits}} {
		d, err := get(f.name, []int{4})
		if err != nil {
			return err
		}
		if *f.dst, err = decodeUint64(d); err != nil {
			return fmt.Errorf("models: restore: tensor %q: %w", f.name, err)
		}
	}
	lr := math.Float64frombits(lrBits)
	if steps > math.MaxInt64 || !(lr >= 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("models: restore: bad optimizer state (steps %d, lr %v)", steps, lr)
	}
	for _, j := range jobs {
		copy(j.dst, j.src)
	}
	t.steps, t.lr = int64(steps), lr
	return nil
}

func shapeSize(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Params returns copies of the network's parameters as named tensors ("param/<name>", the
// names Snapshot uses), without optimizer state: what a finished model needs to be used again.
func (n *Net) Params() []checkpoint.Tensor {
	ts := make([]checkpoint.Tensor, 0, len(n.info))
	for i, p := range n.info {
		ts = append(ts, checkpoint.Tensor{Name: ckptParam + p.name, Shape: slices.Clone([]int(p.shape)), Data: slices.Clone(n.data(i))})
	}
	return ts
}

// SetParams loads the parameters from ts (as written by Params or Snapshot for a network of the
// same Spec). It checks every tensor first and changes nothing if one is missing or misshapen.
func (n *Net) SetParams(ts []checkpoint.Tensor) error {
	byName := make(map[string]*checkpoint.Tensor, len(ts))
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	srcs := make([][]float32, len(n.info))
	for i, p := range n.info {
		c, ok := byName[ckptParam+p.name]
		if !ok {
			return fmt.Errorf("models: no tensor %q for this %s network (was it saved from another architecture?)", ckptParam+p.name, n.spec.Arch)
		}
		if !slices.Equal(c.Shape, []int(p.shape)) || len(c.Data) != shapeSize(p.shape) {
			return fmt.Errorf("models: tensor %q has shape %v, this network needs %v", c.Name, c.Shape, []int(p.shape))
		}
		srcs[i] = c.Data
	}
	for i, src := range srcs {
		copy(n.data(i), src)
	}
	return nil
}

// Clone returns a new network of the same Spec with a copy of n's parameters. Use one per
// goroutine that builds graphs: building a machine writes to the parameter tensors it binds
// (Gorgonia sets their engine), so graphs on different goroutines must not share them.
func (n *Net) Clone() (*Net, error) {
	c, err := NewNet(n.spec, 0)
	if err != nil {
		return nil, err
	}
	if err := c.SetParams(n.Params()); err != nil {
		return nil, err
	}
	return c, nil
}
