package experiments

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/logitlab/logitlab/audio"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/models"
)

// trainUnit trains one network under cond at one regime and seed on the supervised tasks listed
// in taskIdx and returns the test accuracy of each of them.
//
// Pairing: the initialisation, the labelled subsets and the order of labelled batches depend only
// on the seed (and the task), never on the condition, so condition differences at one seed are
// paired differences.
func (r *audioRun) trainUnit(ctx context.Context, cond audioCond, regime, seed int, taskIdx []int) ([]float64, error) {
	p, d := r.plan, r.data
	net, err := models.NewWaveNet(r.spec, uint64(seed))
	if err != nil {
		return nil, err
	}
	subsets := make([][]int, len(taskIdx))
	for j, k := range taskIdx {
		if subsets[j], err = d.tasks[k].Labelled(regime, uint64(seed)); err != nil {
			return nil, err
		}
	}
	opt := models.OptimSpec{Name: models.OptimAdam, LR: p.cfg.LR}
	sslRNG := rand.New(rand.NewPCG(uint64(seed), 0x55a1))
	if cond.Pretrain {
		if err := r.runSteps(ctx, net, opt, cond, nil, nil, cond.SSL, p.cfg.PretrainSteps, seed, sslRNG); err != nil {
			return nil, err
		}
	}
	ssl := cond.SSL
	if cond.Pretrain {
		ssl = nil
	}
	if err := r.runSteps(ctx, net, opt, cond, taskIdx, subsets, ssl, p.cfg.Steps, seed, sslRNG); err != nil {
		return nil, err
	}
	accs := make([]float64, len(taskIdx))
	for j, k := range taskIdx {
		if accs[j], err = r.evaluate(net, k); err != nil {
			return nil, err
		}
	}
	return accs, nil
}

// runSteps trains net for steps steps on the supervised tasks taskIdx (labelled clips subsets)
// and the self-supervised tasks ssl.
func (r *audioRun) runSteps(ctx context.Context, net *models.WaveNet, opt models.OptimSpec, cond audioCond,
	taskIdx []int, subsets [][]int, ssl []models.SSLKind, steps, seed int, sslRNG *rand.Rand) error {
	p, d := r.plan, r.data
	var tasks []models.WaveTask
	for _, k := range taskIdx {
		tasks = append(tasks, models.WaveTask{Head: p.tasks[k], Batch: p.cfg.Batch, Len: d.crop, Weight: p.taskWeights[k]})
	}
	for _, s := range ssl {
		tasks = append(tasks, models.WaveTask{Head: string(s), Batch: p.cfg.SSLBatch, Len: p.cfg.SSLLen, Weight: cond.SSLWeight})
	}
	tr, err := models.NewWaveTrainer(net, tasks, opt)
	if err != nil {
		return err
	}
	defer tr.Close()
	var aug *audio.Augment
	if cond.Aug {
		aug = &audio.Augment{MaxGain: p.cfg.AugGain, MaxShift: p.cfg.AugShift, MaxSpeed: p.cfg.AugSpeed, SNRLo: p.cfg.AugSNR, SNRHi: p.cfg.AugSNR + 20}
	}
	batches := make([]models.WaveBatch, len(tasks))
	orders := make([][]int, len(taskIdx))
	rngs := make([]*rand.Rand, len(taskIdx))
	for j, k := range taskIdx {
		// The labelled stream depends on seed and task only: every condition sees the same batches.
		rngs[j] = rand.New(rand.NewPCG(uint64(seed), uint64(k)))
		batches[j] = models.WaveBatch{X: make([]float32, p.cfg.Batch*d.crop), Labels: make([]int, p.cfg.Batch)}
	}
	augRNG := rand.New(rand.NewPCG(uint64(seed), 0xa06))
	for j, s := range ssl {
		n := p.cfg.SSLBatch * p.cfg.SSLLen
		b := models.WaveBatch{X: make([]float32, n)}
		if s == models.SSLNext {
			b.Steps = make([]int32, n)
		} else {
			b.Target = make([]float32, n)
		}
		batches[len(taskIdx)+j] = b
	}
	buf := make([]float32, audio.ClipLen)
	clipsPerStep := 0.0 // labelled clips and unlabelled windows in one step, over all tasks
	for _, t := range tasks {
		clipsPerStep += float64(t.Batch)
	}
	rate := 0.0 // clips per second, EMA over steps (batch preparation included)
	for step := 0; step < steps; step++ {
		began := time.Now()
		if err := r.env.Between(ctx, r.state.GlobalStep, r.state); err != nil {
			return err
		}
		for j := range taskIdx {
			b := &batches[j]
			for i := range b.Labels {
				if len(orders[j]) == 0 {
					orders[j] = rngs[j].Perm(len(subsets[j]))
				}
				c := subsets[j][orders[j][0]]
				orders[j] = orders[j][1:]
				b.Labels[i] = d.tasks[taskIdx[j]].Label[c]
				d.labelledWindow(b.X[i*d.crop:(i+1)*d.crop], c, aug, augRNG, buf)
			}
		}
		for j, s := range ssl {
			b := &batches[len(taskIdx)+j]
			L := p.cfg.SSLLen
			for i := 0; i < p.cfg.SSLBatch; i++ {
				w := d.unlabelledWindow(L, sslRNG)
				in := b.X[i*L : (i+1)*L]
				switch s {
				case models.SSLNext:
					audio.NextStep(in, b.Steps[i*L:(i+1)*L], w)
				case models.SSLDenoise:
					audio.Denoise(in, b.Target[i*L:(i+1)*L], w, 0, 20, sslRNG)
				case models.SSLUpsample:
					audio.Upsample(in, b.Target[i*L:(i+1)*L], w)
				}
			}
		}
		losses, err := tr.Step(batches)
		if err != nil {
			var nf *models.NonFiniteError
			if errors.As(err, &nf) {
				return fmt.Errorf("audio: %s diverged at step %d (lr %g): %w; lower audio.lr", cond.Name, step+1, p.cfg.LR, err)
			}
			return err
		}
		if s := time.Since(began).Seconds(); s > 0 {
			if inst := clipsPerStep / s; rate == 0 {
				rate = inst
			} else {
				rate = 0.9*rate + 0.1*inst
			}
		}
		r.state.GlobalStep++
		if r.state.GlobalStep%5 == 0 {
			series := map[string]float64{}
			total := 0.0
			for i, t := range tasks {
				series["loss/"+t.Head] = losses[i]
				total += t.Weight * losses[i]
			}
			r.env.Emit(lab.StepMetrics{Step: r.state.GlobalStep, Loss: total, LR: p.cfg.LR, SamplesPerSec: rate, Series: series})
			r.env.Emit(lab.Progress{Step: r.state.GlobalStep, TotalSteps: r.totalSteps, Elapsed: time.Since(r.began).Seconds()})
		}
	}
	return nil
}

// evaluate returns the test accuracy of supervised task k.
func (r *audioRun) evaluate(net *models.WaveNet, k int) (float64, error) {
	d := r.data
	const batch = 32
	ev, err := models.NewWaveEval(net, r.plan.tasks[k], batch, d.crop)
	if err != nil {
		return 0, err
	}
	defer ev.Close()
	x, y := d.testX[k], d.testY[k]
	correct := 0
	for lo := 0; lo < len(y); lo += batch {
		hi := min(lo+batch, len(y))
		pred, err := ev.Predict(x[lo*d.crop : hi*d.crop])
		if err != nil {
			return 0, err
		}
		for i, c := range pred {
			if c == y[lo+i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(len(y)), nil
}
