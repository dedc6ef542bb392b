package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/logitlab/logitlab/data"
	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/models"
)

// Train trains one classifier (MLP or CNN) on MNIST, Fashion-MNIST or CIFAR-10 and reports its loss
// every step and its test accuracy every epoch.
type Train struct {
	// BLAS describes the linear-algebra backend in use (shown in the start event and results).
	BLAS string
}

// Name implements lab.Experiment.
func (Train) Name() string { return "train" }

// Summary implements lab.Experiment.
func (Train) Summary() string {
	return "train one classifier (mlp or cnn) on mnist, fashion or cifar; live loss and test accuracy"
}

// trainMeta is what a train checkpoint carries besides tensors, so that a resumed run reports exactly
// the metrics an uninterrupted one would.
type trainMeta struct {
	Step        int64   `json:"step"`
	LossSum     float64 `json:"loss_sum"`   // train loss summed since the last evaluation
	LossCount   int     `json:"loss_count"` // steps in LossSum
	WallSeconds float64 `json:"wall_seconds"`
	LastLoss    float64 `json:"last_epoch_train_loss"`
	BaseLR      float64 `json:"base_lr"` // the schedule's peak, which a live change moves
}

// Run implements lab.Experiment.
func (t Train) Run(ctx context.Context, env *lab.Env) error {
	cfg := env.Config().Train
	trainSet, testSet, origin, err := data.Load(cfg.Data, data.Options{Dir: cfg.DataDir, Full: cfg.FullData})
	if err != nil {
		return err
	}
	env.Emit(lab.Message{Level: "info", Text: "data: " + origin})
	if t.BLAS != "" {
		env.Emit(lab.Message{Level: "info", Text: "blas: " + t.BLAS})
	}
	spec := models.Spec{Arch: cfg.Model, C: trainSet.C, H: trainSet.H, W: trainSet.W, Classes: trainSet.Classes}.WithDefaults()
	net, err := models.NewNet(spec, uint64(cfg.Seed))
	if err != nil {
		return err
	}
	batch := cfg.Batch
	if batch > trainSet.N {
		return fmt.Errorf("train: batch %d is larger than the training set (%d samples): lower train.batch", batch, trainSet.N)
	}
	trainer, err := models.NewTrainer(net, batch, models.OptimSpec{
		Name: cfg.Optimizer, LR: cfg.LR, Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay,
	})
	if err != nil {
		return err
	}
	defer trainer.Close()
	eval, err := models.NewEvaluator(net, evalBatch(testSet.N))
	if err != nil {
		return err
	}
	defer eval.Close()

	stepsPerEpoch := int64(trainSet.N / batch)
	total := int64(cfg.Epochs) * stepsPerEpoch
	evalEvery := int64(cfg.EvalEvery)
	if evalEvery <= 0 {
		evalEvery = stepsPerEpoch
	}
	st := &trainState{trainer: trainer, baseLR: cfg.LR, total: total, cosine: cfg.LRSchedule == "cosine"}
	if snap := env.ResumeFrom(); snap != nil {
		if err := st.restore(snap); err != nil {
			return err
		}
	}
	env.Emit(lab.Progress{Step: st.meta.Step, TotalSteps: total, Elapsed: st.meta.WallSeconds})

	dim := trainSet.Dim()
	xb := make([]float32, batch*dim)
	yb := make([]int, batch)
	var order []int
	orderEpoch := -1
	segmentStart := time.Now()
	wallBase := st.meta.WallSeconds
	var rate float64 // samples/s, smoothed
	for st.meta.Step < total {
		if err := env.Between(ctx, st.meta.Step, st); err != nil {
			return t.endEarly(env, st, err, wallBase, segmentStart)
		}
		epoch := int(st.meta.Step / stepsPerEpoch)
		if epoch != orderEpoch {
			order, orderEpoch = data.EpochOrder(trainSet.N, uint64(cfg.Seed), epoch), epoch
		}
		first := int(st.meta.Step%stepsPerEpoch) * batch
		shifts := augmentRNG(uint64(cfg.Seed), st.meta.Step)
		for i := 0; i < batch; i++ {
			idx := order[first+i]
			dst := xb[i*dim : (i+1)*dim]
			if s := cfg.AugmentShift; s > 0 {
				dx, dy := shifts.IntN(2*s+1)-s, shifts.IntN(2*s+1)-s
				data.Shift(dst, trainSet.Image(idx), trainSet.C, trainSet.H, trainSet.W, dx, dy)
			} else {
				copy(dst, trainSet.Image(idx))
			}
			yb[i] = trainSet.Labels[idx]
		}
		if cfg.LRSchedule == "cosine" {
			trainer.SetLR(st.baseLR * cosineFactor(st.meta.Step, total))
		}
		began := time.Now()
		loss, err := trainer.Step(xb, yb)
		if err != nil {
			return divergence(st.meta.Step+1, trainer.LR(), err)
		}
		if loss > cfg.MaxLoss {
			return fmt.Errorf("diverged at step %d (learning rate %g): loss %.4g is above train.max_loss = %g; "+
				"lower the learning rate (or raise max_loss)", st.meta.Step+1, trainer.LR(), loss, cfg.MaxLoss)
		}
		if s := time.Since(began).Seconds(); s > 0 {
			inst := float64(batch) / s
			if rate == 0 {
				rate = inst
			} else {
				rate = 0.9*rate + 0.1*inst
			}
		}
		st.meta.Step++
		st.meta.LossSum += loss
		st.meta.LossCount++
		env.Emit(lab.StepMetrics{Step: st.meta.Step, Epoch: epoch + 1, Loss: loss, LR: trainer.LR(), SamplesPerSec: rate})

		if st.meta.Step%evalEvery == 0 || st.meta.Step == total {
			testLoss, testAcc, err := eval.Evaluate(testSet.Pixels, testSet.Labels)
			if err != nil {
				return fmt.Errorf("evaluate at step %d: %w", st.meta.Step, err)
			}
			trainLoss := st.meta.LossSum / float64(st.meta.LossCount)
			st.meta.LastLoss, st.meta.LossSum, st.meta.LossCount = trainLoss, 0, 0
			env.Emit(lab.EpochSummary{Step: st.meta.Step, Epoch: int((st.meta.Step + stepsPerEpoch - 1) / stepsPerEpoch),
				TrainLoss: trainLoss, TestLoss: testLoss, TestAcc: testAcc})
			st.meta.WallSeconds = wallBase + time.Since(segmentStart).Seconds()
			env.Emit(lab.Progress{Step: st.meta.Step, TotalSteps: total, Elapsed: st.meta.WallSeconds})
		}
		if st.meta.Step%int64(cfg.CheckpointEvery) == 0 && st.meta.Step < total {
			st.meta.WallSeconds = wallBase + time.Since(segmentStart).Seconds()
			if err := saveNow(env, st); err != nil {
				return err
			}
		}
	}
	st.meta.WallSeconds = wallBase + time.Since(segmentStart).Seconds()
	if err := saveNow(env, st); err != nil {
		return err
	}
	testLoss, testAcc, err := eval.Evaluate(testSet.Pixels, testSet.Labels)
	if err != nil {
		return err
	}
	samples := float64(total) * float64(batch)
	return env.SetResults(map[string]any{
		"test_acc":        testAcc,
		"test_loss":       testLoss,
		"train_loss":      st.meta.LastLoss,
		"epochs":          cfg.Epochs,
		"steps":           total,
		"samples_per_sec": samples / math.Max(st.meta.WallSeconds, 1e-9),
		"wall_seconds":    st.meta.WallSeconds,
		"data":            origin,
		"model":           spec.Arch,
		"params":          net.ParamCount(),
		"blas":            t.BLAS,
	})
}

// divergence words a failed step for the person watching: where the non-finite value appeared, at
// which step, and what to do.
func divergence(step int64, lr float64, err error) error {
	var nf *models.NonFiniteError
	if errors.As(err, &nf) {
		what := nf.Where
		if nf.Where != "loss" {
			what = fmt.Sprintf("gradient %s[%d]", strings.TrimPrefix(nf.Where, "grad/"), nf.Index)
		}
		return fmt.Errorf("diverged at step %d (learning rate %g): %s is %v; the weights were left as after step %d; "+
			"lower the learning rate: %w", step, lr, what, nf.Value, step-1, models.ErrNonFinite)
	}
	return fmt.Errorf("step %d: %w", step, err)
}

// endEarly checkpoints a run that is being stopped or cancelled, so it can be resumed, and passes the
// reason on.
func (Train) endEarly(env *lab.Env, st *trainState, why error, wallBase float64, segmentStart time.Time) error {
	if errors.Is(why, lab.ErrStopRequested) || errors.Is(why, context.Canceled) || errors.Is(why, context.DeadlineExceeded) {
		st.meta.WallSeconds = wallBase + time.Since(segmentStart).Seconds()
		if err := saveNow(env, st); err != nil {
			return errors.Join(why, err)
		}
	}
	return why
}

func saveNow(env *lab.Env, st *trainState) error {
	snap, err := st.Snapshot()
	if err != nil {
		return err
	}
	return env.SaveCheckpoint(snap)
}

// trainState is the Steerable face of a training run.
type trainState struct {
	trainer *models.Trainer
	meta    trainMeta
	baseLR  float64 // the schedule's peak learning rate
	total   int64   // steps in the whole run
	cosine  bool    // lr = baseLR · cosineFactor(step, total)
}

// cosineFactor is the cosine schedule's multiplier at step s of n (s counts completed steps):
//
//	f(s) = (1 + cos(π·s/n)) / 2,   from 1 at the first step down towards 0 at the last.
func cosineFactor(s, n int64) float64 {
	if n <= 0 {
		return 1
	}
	return (1 + math.Cos(math.Pi*float64(s)/float64(n))) / 2
}

// Apply implements lab.Steerable: "lr" is the one live setting of the train experiment.
func (s *trainState) Apply(name string, v float64) (float64, error) {
	switch name {
	case "lr":
		if !(v > 0) || math.IsInf(v, 0) || v > 1e6 {
			return 0, fmt.Errorf("lr %g is out of range: it must be in (0, 1e6]", v)
		}
		s.trainer.SetLR(v)
		if s.cosine { // the schedule goes on from the new value
			if f := cosineFactor(s.meta.Step, s.total); f > 1e-9 {
				s.baseLR = v / f
			}
		}
		return s.trainer.LR(), nil
	}
	return 0, fmt.Errorf("the train experiment has no live setting %q (it has: lr)", name)
}

// Snapshot implements lab.Steerable.
func (s *trainState) Snapshot() (*checkpoint.Snapshot, error) {
	s.meta.BaseLR = s.baseLR
	meta, err := json.Marshal(s.meta)
	if err != nil {
		return nil, err
	}
	return &checkpoint.Snapshot{Step: s.meta.Step, Meta: meta, Tensors: s.trainer.Snapshot()}, nil
}

func (s *trainState) restore(snap *checkpoint.Snapshot) error {
	if err := json.Unmarshal(snap.Meta, &s.meta); err != nil {
		return fmt.Errorf("train: checkpoint at step %d has unreadable metadata: %w", snap.Step, err)
	}
	if s.meta.Step != snap.Step {
		return fmt.Errorf("train: checkpoint says step %d but its metadata says %d", snap.Step, s.meta.Step)
	}
	if s.meta.BaseLR > 0 {
		s.baseLR = s.meta.BaseLR
	}
	if err := s.trainer.Restore(snap.Tensors); err != nil {
		return fmt.Errorf("train: restore checkpoint at step %d (was it written by another model or data set?): %w", snap.Step, err)
	}
	return nil
}

// augmentRNG is the source of step's random shifts: a function of the seed and the step alone, so
// that a resumed run draws the same shifts as an uninterrupted one.
func augmentRNG(seed uint64, step int64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(step)))
}

// evalBatch picks the evaluation graph's batch size: big enough to be fast, no bigger than the set.
func evalBatch(n int) int {
	if n < 500 {
		return n
	}
	return 500
}
