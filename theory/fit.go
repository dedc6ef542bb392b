package theory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// FitParams configures the authors' training loop (train.py: train_models).
type FitParams struct {
	LR     float64 // plain SGD learning rate of every layer (1e-3)
	Batch  int     // minibatch size (128); the last batch of an epoch may be short
	Epochs int     // passes over the task-1 training set (2000)
	// AuxSteps is the number of task-2 minibatch steps after each task-1 step (the authors take
	// n_train2 // n_train); 0 trains task 1 alone.
	AuxSteps int
	// Patience stops training after this many epochs without a new lowest task-1 validation loss;
	// 0 never stops early (the authors' recipe).
	Patience  int
	EvalBatch int    // validation batch size (128, as the authors' test DataLoader)
	Seed      uint64 // order of the minibatches
	// OnEpoch, when set, is called after each epoch's validation; an error ends training with it.
	OnEpoch func(epoch int, valLoss, valAcc float64) error
}

// FitResult is what one training reports: the task-1 validation cross-entropy at its lowest over
// the epochs (the paper's metric), where that was, and the whole curve.
type FitResult struct {
	BestLoss  float64   // lowest task-1 validation cross-entropy, nats
	BestAcc   float64   // task-1 validation accuracy at that epoch
	BestEpoch int       // 1-based epoch of BestLoss
	Epochs    int       // epochs run
	Curve     []float64 // task-1 validation cross-entropy after each epoch
}

// ErrDiverged reports a non-finite training loss.
var ErrDiverged = errors.New("theory: training diverged")

// batcher hands out minibatches of a dataset in a fresh random order each pass, as a shuffling
// PyTorch DataLoader with drop_last=False does.
type batcher struct {
	ds    *Dataset
	batch int
	rng   *rand.Rand
	order []int
	pos   int
	x     []float64
	y     []int
}

func newBatcher(ds *Dataset, batch int, rng *rand.Rand) *batcher {
	return &batcher{ds: ds, batch: batch, rng: rng, pos: ds.N,
		x: make([]float64, batch*ds.D), y: make([]int, batch)}
}

// next returns the next minibatch (rows copied into a reused buffer) and its size.
func (b *batcher) next() ([]float64, []int, int) {
	if b.pos >= b.ds.N {
		if b.order == nil {
			b.order = make([]int, b.ds.N)
		}
		for i := range b.order {
			b.order[i] = i
		}
		b.rng.Shuffle(len(b.order), func(i, j int) { b.order[i], b.order[j] = b.order[j], b.order[i] })
		b.pos = 0
	}
	n := min(b.batch, b.ds.N-b.pos)
	d := b.ds.D
	for i := 0; i < n; i++ {
		r := b.order[b.pos+i]
		copy(b.x[i*d:(i+1)*d], b.ds.X[r*d:(r+1)*d])
		b.y[i] = b.ds.Y[r]
	}
	b.pos += n
	return b.x, b.y, n
}

// Fit trains s on tasks the way the authors' train_models does with update_every: each epoch runs
// ⌈n_train/batch⌉ task-1 steps (head 0 and the trunk), each followed by AuxSteps task-2 steps (head 1
// and the trunk, the trunk updated after every step), then evaluates head 0 on the task-1 test set.
// Task-1 batches come from their own random stream, so a single-task and a multitask run with the same
// Seed see the same task-1 batches. It returns ctx.Err() when cancelled between epochs.
func Fit(ctx context.Context, s *Student, tasks *Tasks, p FitParams) (FitResult, error) {
	if p.Batch < 1 || p.Epochs < 1 || !(p.LR > 0) {
		return FitResult{}, fmt.Errorf("theory: fit: batch %d, epochs %d, lr %g: all must be positive", p.Batch, p.Epochs, p.LR)
	}
	if p.AuxSteps > 0 && (tasks.Train2.N == 0 || s.spec.Heads < 2) {
		return FitResult{}, fmt.Errorf("theory: fit: %d task-2 steps per task-1 step need task-2 data and a second head", p.AuxSteps)
	}
	if p.EvalBatch <= 0 {
		p.EvalBatch = 128
	}
	b1 := newBatcher(&tasks.Train1, p.Batch, stream(p.Seed, 500))
	var b2 *batcher
	if p.AuxSteps > 0 {
		b2 = newBatcher(&tasks.Train2, p.Batch, stream(p.Seed, 501))
	}
	steps := (tasks.Train1.N + p.Batch - 1) / p.Batch
	res := FitResult{BestLoss: math.Inf(1), Curve: make([]float64, 0, p.Epochs)}
	for epoch := 1; epoch <= p.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		for i := 0; i < steps; i++ {
			x, y, n := b1.next()
			loss := s.Step(0, x, y, n, p.LR)
			for k := 0; k < p.AuxSteps; k++ {
				x2, y2, n2 := b2.next()
				loss += s.Step(1, x2, y2, n2, p.LR)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return res, fmt.Errorf("%w at epoch %d (lr %g): the training loss is %v; lower the learning rate",
					ErrDiverged, epoch, p.LR, loss)
			}
		}
		vl, va := s.Evaluate(0, &tasks.Test1, p.EvalBatch)
		res.Curve = append(res.Curve, vl)
		res.Epochs = epoch
		if vl < res.BestLoss {
			res.BestLoss, res.BestAcc, res.BestEpoch = vl, va, epoch
		}
		if p.OnEpoch != nil {
			if err := p.OnEpoch(epoch, vl, va); err != nil {
				return res, err
			}
		}
		if p.Patience > 0 && epoch-res.BestEpoch >= p.Patience {
			break
		}
	}
	return res, nil
}
