package models

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/logitlab/logitlab/internal/checkpoint"
)

func mustNet(t testing.TB, s Spec, seed uint64) *Net {
	t.Helper()
	n, err := NewNet(s, seed)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustTrainer(t testing.TB, n *Net, batch int, o OptimSpec) *Trainer {
	t.Helper()
	tr, err := NewTrainer(n, batch, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func params(n *Net) [][]float32 {
	var ps [][]float32
	for i := range n.info {
		ps = append(ps, slices.Clone(n.data(i)))
	}
	return ps
}

func bitsEqual(a, b [][]float32) bool {
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return len(a) == len(b)
}

// steps runs Trainer.Step over consecutive batches of x, y starting at batch index from.
func steps(t *testing.T, tr *Trainer, x []float32, y []int, from, count int) {
	t.Helper()
	b, dim := tr.Batch(), tr.net.spec.InputDim()
	k := len(y) / b
	for s := from; s < from+count; s++ {
		i := s % k
		if _, err := tr.Step(x[i*b*dim:(i+1)*b*dim], y[i*b:(i+1)*b]); err != nil {
			t.Fatalf("step %d: %v", s, err)
		}
	}
}

func TestParamCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec Spec
		want int // from the layer shapes by hand
	}{
		// 784·256+256 + 256·256+256 + 256·10+10
		{Spec{Arch: ArchMLP, C: 1, H: 28, W: 28, Classes: 10}, 269322},
		// 32·9+32 + 64·32·9+64 + (64·7·7)·128+128 + 128·10+10
		{Spec{Arch: ArchCNN, C: 1, H: 28, W: 28, Classes: 10}, 421642},
	} {
		if got := mustNet(t, tc.spec, 1).ParamCount(); got != tc.want {
			t.Errorf("%s ParamCount = %d, want %d", tc.spec.Arch, got, tc.want)
		}
	}
}

// TestDeterministic: the same seed gives bit-identical parameters before and after training;
// another seed does not.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, s := range []Spec{tinyMLP, tinyCNN} {
		x, y := randData(s, 32, 5)
		run := func(seed uint64) [][]float32 {
			n := mustNet(t, s, seed)
			steps(t, mustTrainer(t, n, 8, OptimSpec{}), x, y, 0, 6)
			return params(n)
		}
		if a, b := run(1), run(1); !bitsEqual(a, b) {
			t.Errorf("%s: same seed, different parameters after 6 steps", s.Arch)
		}
		if a, b := run(1), run(2); bitsEqual(a, b) {
			t.Errorf("%s: seeds 1 and 2 gave identical parameters", s.Arch)
		}
	}
}

// TestSnapshotRestoreContinues: 3 steps, snapshot through the checkpoint codec, restore into a
// fresh net and trainer (other seed), 3 more steps == 6 uninterrupted steps, bit for bit.
func TestSnapshotRestoreContinues(t *testing.T) {
	t.Parallel()
	s := tinyMLP
	x, y := randData(s, 24, 6)
	for _, o := range []OptimSpec{{Name: OptimAdam, WeightDecay: 0.01}, {Name: OptimSGD}} {
		t.Run(o.Name, func(t *testing.T) {
			t.Parallel()
			ref := mustNet(t, s, 1)
			rt := mustTrainer(t, ref, 4, o)
			rt.SetLR(0.0123)
			steps(t, rt, x, y, 0, 6)

			a := mustNet(t, s, 1)
			at := mustTrainer(t, a, 4, o)
			at.SetLR(0.0123)
			steps(t, at, x, y, 0, 3)
			var buf bytes.Buffer
			if err := checkpoint.Encode(&buf, &checkpoint.Snapshot{Step: at.Steps(), Tensors: at.Snapshot()}); err != nil {
				t.Fatal(err)
			}
			snap, err := checkpoint.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}

			b := mustNet(t, s, 99)
			bt := mustTrainer(t, b, 4, o)
			if err := bt.Restore(snap.Tensors); err != nil {
				t.Fatal(err)
			}
			if bt.Steps() != 3 || bt.LR() != 0.0123 {
				t.Fatalf("restored steps %d lr %v, want 3 and 0.0123", bt.Steps(), bt.LR())
			}
			steps(t, bt, x, y, 3, 3)
			if !bitsEqual(params(ref), params(b)) {
				t.Error("restored run diverged from the uninterrupted run")
			}
			if bt.Steps() != 6 {
				t.Errorf("Steps() = %d, want 6", bt.Steps())
			}
		})
	}
}

func TestRestoreRejects(t *testing.T) {
	t.Parallel()
	adam := mustTrainer(t, mustNet(t, tinyMLP, 1), 2, OptimSpec{})
	good := adam.Snapshot()
	other := mustTrainer(t, mustNet(t, tinyCNN, 1), 2, OptimSpec{}).Snapshot()
	drop := func(name string) []checkpoint.Tensor {
		return slices.DeleteFunc(slices.Clone(good), func(c checkpoint.Tensor) bool { return c.Name == name })
	}
	reshaped := slices.Clone(good)
	reshaped[0].Shape = []int{5, 6}
	badLR := slices.Clone(good)
	badLR[len(badLR)-1].Data = []float32{0.5, 0, 0, 0}

	sgd := mustTrainer(t, mustNet(t, tinyMLP, 1), 2, OptimSpec{Name: OptimSGD})
	for _, tc := range []struct {
		name string
		tr   *Trainer
		ts   []checkpoint.Tensor
	}{
		{"missing param", adam, drop("param/out.b")},
		{"missing moment", adam, drop("adam.v/dense0.W")},
		{"missing steps", adam, drop(ckptSteps)},
		{"wrong shape", adam, reshaped},
		{"other model", adam, other},
		{"bad lr chunks", adam, badLR},
		{"adam state into sgd", sgd, good}, // lacks sgd.momentum/*
	} {
		before := params(tc.tr.net)
		if err := tc.tr.Restore(tc.ts); err == nil {
			t.Errorf("%s: Restore succeeded", tc.name)
		}
		if !bitsEqual(before, params(tc.tr.net)) || tc.tr.Steps() != 0 {
			t.Errorf("%s: failed Restore changed the trainer", tc.name)
		}
	}
}

// TestTrainingLearns: a short run on a separable problem lowers the loss and reaches high
// accuracy, and the evaluator (a separate graph on the same tensors) sees the updates.
func TestTrainingLearns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec Spec
		opt  OptimSpec
	}{
		{Spec{Arch: ArchMLP, C: 1, H: 4, W: 4, Classes: 4, Hidden: []int{16}}, OptimSpec{LR: 0.01}},
		{Spec{Arch: ArchCNN, C: 1, H: 8, W: 8, Classes: 4, Conv: []int{4}, FC: 16}, OptimSpec{Name: OptimSGD, LR: 0.1}},
	} {
		t.Run(tc.spec.Arch, func(t *testing.T) {
			t.Parallel()
			n := mustNet(t, tc.spec, 3)
			x, y := separable(tc.spec, 256, 4)
			ev, err := NewEvaluator(n, 100) // 3 runs, the last padded
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			loss0, acc0, err := ev.Evaluate(x, y)
			if err != nil {
				t.Fatal(err)
			}
			steps(t, mustTrainer(t, n, 16, tc.opt), x, y, 0, 80)
			loss1, acc1, err := ev.Evaluate(x, y)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("loss %.4f → %.4f, accuracy %.3f → %.3f", loss0, loss1, acc0, acc1)
			if !(loss1 < loss0/4) || acc1 < 0.95 {
				t.Errorf("training did not learn: loss %.4f → %.4f, accuracy %.3f → %.3f", loss0, loss1, acc0, acc1)
			}
		})
	}
}

// TestEvaluatorMatchesTrainer: Evaluate's float64 loss over a batch equals the loss the
// training graph reports for it, and Logits does not depend on the evaluator's batch size.
func TestEvaluatorMatchesTrainer(t *testing.T) {
	t.Parallel()
	s := tinyCNN
	n := mustNet(t, s, 8)
	x, y := randData(s, 7, 9)
	logits := func(batch int) []float32 {
		ev, err := NewEvaluator(n, batch)
		if err != nil {
			t.Fatal(err)
		}
		defer ev.Close()
		z := make([]float32, 7*s.Classes)
		if err := ev.Logits(z, x); err != nil {
			t.Fatal(err)
		}
		return z
	}
	z1, z3, z7 := logits(1), logits(3), logits(7)
	for i := range z1 {
		if d := math.Abs(float64(z1[i] - z3[i])); d > 1e-5 || math.Abs(float64(z1[i]-z7[i])) > 1e-5 {
			t.Fatalf("logit %d: batch 1 %v, batch 3 %v, batch 7 %v", i, z1[i], z3[i], z7[i])
		}
	}
	ev, err := NewEvaluator(n, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	want, _, err := ev.Evaluate(x, y)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mustTrainer(t, n, 7, OptimSpec{}).Step(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-5 {
		t.Errorf("trainer loss %v, evaluator loss %v", got, want)
	}
}

func TestBadArguments(t *testing.T) {
	t.Parallel()
	s := tinyMLP
	n := mustNet(t, s, 1)
	tr := mustTrainer(t, n, 2, OptimSpec{})
	x, _ := randData(s, 2, 1)
	if _, err := tr.Step(x[:5], []int{0, 1}); err == nil {
		t.Error("Step with short x succeeded")
	}
	if _, err := tr.Step(x, []int{0, 3}); !errors.Is(err, ErrLabel) {
		t.Errorf("Step with label 3 of 3 classes: %v, want ErrLabel", err)
	}
	ev, _ := NewEvaluator(n, 2)
	defer ev.Close()
	if err := ev.Logits(make([]float32, 5), x); err == nil {
		t.Error("Logits with a wrong-size dst succeeded")
	}
	if _, _, err := ev.Evaluate(x, []int{-1, 0}); !errors.Is(err, ErrLabel) {
		t.Errorf("Evaluate with label -1: %v, want ErrLabel", err)
	}
	if _, _, err := ev.Evaluate(nil, nil); err == nil {
		t.Error("Evaluate of an empty set succeeded")
	}
	ig, _ := NewInputGrad(n, 2)
	defer ig.Close()
	if _, err := ig.Grad(make([]float32, 6), x, []int{0, 1}); err == nil {
		t.Error("Grad with short dst succeeded")
	}
	if _, err := NewTrainer(n, 0, OptimSpec{}); err == nil {
		t.Error("NewTrainer with batch 0 succeeded")
	}
	if _, err := NewTrainer(n, 2, OptimSpec{Name: "lbfgs"}); err == nil {
		t.Error("NewTrainer with an unknown optimizer succeeded")
	}
	if _, err := NewNet(Spec{Arch: "mlp"}, 1); err == nil {
		t.Error("NewNet of an empty spec succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Error("SetLR(NaN) did not panic")
		}
	}()
	tr.SetLR(math.NaN())
}
