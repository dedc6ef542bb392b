// Package labtest holds fakes for testing the lab and its viewers without training anything.
package labtest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/lab"
)

// Counter is a fake experiment: a "model" whose single weight w starts at 1 and whose step k has
// loss = w / k, with w ← w·(1 − lr/10) after each step. It exercises everything the lab offers —
// metrics, evaluations, live settings, pause, stop, checkpoints, resume, divergence and panics —
// deterministically and in microseconds.
type Counter struct {
	Steps           int64         // total steps
	CheckpointEvery int64         // 0: never (except on stop)
	EvalEvery       int64         // 0: never
	Delay           time.Duration // sleep per step, to give tests time to act
	PanicAt         int64         // panic at this step (0: never)
	NaNAt           int64         // report a non-finite loss at this step (0: never)
	// StepHook, when set, is called after each step with the step number (tests use it to act at a
	// precise moment).
	StepHook func(step int64)
}

// Name implements lab.Experiment.
func (Counter) Name() string { return "counter" }

// Summary implements lab.Experiment.
func (Counter) Summary() string { return "a fake experiment for tests" }

type counterState struct {
	step int64
	w    float64
	lr   float64
}

func (s *counterState) Apply(name string, v float64) (float64, error) {
	if name != "lr" {
		return 0, fmt.Errorf("no live setting %q", name)
	}
	if !(v > 0) || v > 10 {
		return 0, fmt.Errorf("lr %g out of range (0, 10]", v)
	}
	s.lr = v
	return v, nil
}

func (s *counterState) Snapshot() (*checkpoint.Snapshot, error) {
	var meta [24]byte
	binary.LittleEndian.PutUint64(meta[0:], uint64(s.step))
	binary.LittleEndian.PutUint64(meta[8:], math.Float64bits(s.w))
	binary.LittleEndian.PutUint64(meta[16:], math.Float64bits(s.lr))
	return &checkpoint.Snapshot{Step: s.step, Meta: meta[:], Tensors: []checkpoint.Tensor{{Name: "w", Shape: []int{1}, Data: []float32{float32(s.w)}}}}, nil
}

// Run implements lab.Experiment.
func (c Counter) Run(ctx context.Context, env *lab.Env) error {
	st := &counterState{w: 1, lr: 0.1}
	if snap := env.ResumeFrom(); snap != nil {
		if len(snap.Meta) != 24 {
			return errors.New("counter: bad checkpoint metadata")
		}
		st.step = int64(binary.LittleEndian.Uint64(snap.Meta[0:]))
		st.w = math.Float64frombits(binary.LittleEndian.Uint64(snap.Meta[8:]))
		st.lr = math.Float64frombits(binary.LittleEndian.Uint64(snap.Meta[16:]))
	}
	env.Emit(lab.Progress{Step: st.step, TotalSteps: c.Steps})
	for st.step < c.Steps {
		if err := env.Between(ctx, st.step, st); err != nil {
			if snap, serr := st.Snapshot(); serr == nil {
				if serr = env.SaveCheckpoint(snap); serr != nil {
					return errors.Join(err, serr)
				}
			}
			return err
		}
		if c.Delay > 0 {
			time.Sleep(c.Delay)
		}
		st.step++
		if st.step == c.PanicAt {
			panic(fmt.Sprintf("counter: deliberate panic at step %d", st.step))
		}
		loss := st.w / float64(st.step)
		if st.step == c.NaNAt {
			return fmt.Errorf("diverged at step %d: loss is %v", st.step, math.NaN())
		}
		st.w *= 1 - st.lr/10
		env.Emit(lab.StepMetrics{Step: st.step, Epoch: 1, Loss: loss, LR: st.lr, SamplesPerSec: 1000})
		if c.EvalEvery > 0 && st.step%c.EvalEvery == 0 {
			env.Emit(lab.EpochSummary{Step: st.step, Epoch: 1, TrainLoss: loss, TestLoss: loss * 1.1, TestAcc: 1 - loss})
		}
		if c.CheckpointEvery > 0 && st.step%c.CheckpointEvery == 0 {
			snap, _ := st.Snapshot()
			if err := env.SaveCheckpoint(snap); err != nil {
				return err
			}
		}
		if c.StepHook != nil {
			c.StepHook(st.step)
		}
	}
	return env.SetResults(map[string]any{"final_w": st.w, "steps": st.step})
}
