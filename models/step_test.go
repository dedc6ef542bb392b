package models

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// TestHugeLRNonFinite: plain SGD at lr 1e4 overflows float32 within a few steps (the loss
// goes 2.4, 1.5e9, 1.8e27, NaN); the failing step returns a *NonFiniteError and leaves the
// parameters and step count unchanged. (Adam at lr 1e4 moves each weight by at most ~lr per
// step, so its loss grows to ~1e17 but, with the max-shifted cross-entropy, stays finite.)
// A NaN pixel is caught the same way.
func TestHugeLRNonFinite(t *testing.T) {
	t.Parallel()
	s := Spec{Arch: ArchMLP, C: 1, H: 8, W: 8, Classes: 10, Hidden: []int{32, 32}}
	x, y := separable(s, 64, 5)
	check := func(t *testing.T, tr *Trainer, step int, err error) {
		t.Helper()
		var nf *NonFiniteError
		if !errors.As(err, &nf) || !errors.Is(err, ErrNonFinite) {
			t.Fatalf("step %d: error %v is not a *NonFiniteError", step, err)
		}
		if tr.Steps() != int64(step) || nf.Step != int64(step) {
			t.Fatalf("step %d: Steps() = %d, error says step %d", step, tr.Steps(), nf.Step)
		}
		t.Logf("step %d: %v", step, err)
	}
	t.Run("sgd lr 1e4", func(t *testing.T) {
		n := mustNet(t, s, 4)
		tr := mustTrainer(t, n, 16, OptimSpec{Name: OptimSGD, LR: 1e4})
		for i := 0; i < 20; i++ {
			before := params(n)
			b := i % 4
			if _, err := tr.Step(x[b*16*64:(b+1)*16*64], y[b*16:(b+1)*16]); err != nil {
				check(t, tr, i, err)
				if !bitsEqual(before, params(n)) {
					t.Fatal("the failing step changed the parameters")
				}
				return
			}
		}
		t.Fatal("20 steps of sgd at lr 1e4 stayed finite")
	})
	t.Run("nan pixel", func(t *testing.T) {
		n := mustNet(t, s, 4)
		tr := mustTrainer(t, n, 16, OptimSpec{})
		bad := slices.Clone(x[:16*64])
		bad[70] = float32(math.NaN())
		before := params(n)
		_, err := tr.Step(bad, y[:16])
		check(t, tr, 0, err)
		if !bitsEqual(before, params(n)) {
			t.Fatal("the failing step changed the parameters")
		}
		ig, err := NewInputGrad(n, 16)
		if err != nil {
			t.Fatal(err)
		}
		defer ig.Close()
		if _, err := ig.Grad(make([]float32, len(bad)), bad, y[:16]); !errors.Is(err, ErrNonFinite) {
			t.Fatalf("InputGrad with a NaN pixel: %v, want ErrNonFinite", err)
		}
	})
}

// TestStepSoft: one-hot soft targets train exactly like hard labels; a smoothed target gives
// the loss −Σ p·lsm computed by hand from the evaluator's logits.
func TestStepSoft(t *testing.T) {
	t.Parallel()
	s := tinyMLP
	x, y := randData(s, 4, 31)
	hard, soft := mustNet(t, s, 1), mustNet(t, s, 1)
	ht, st := mustTrainer(t, hard, 4, OptimSpec{}), mustTrainer(t, soft, 4, OptimSpec{})
	onehot := make([]float32, 4*s.Classes)
	for i, c := range y {
		onehot[i*s.Classes+c] = 1
	}
	for range 3 {
		lh, err1 := ht.Step(x, y)
		ls, err2 := st.StepSoft(x, onehot)
		if err1 != nil || err2 != nil || lh != ls {
			t.Fatalf("hard loss %v (%v), soft loss %v (%v)", lh, err1, ls, err2)
		}
	}
	if !bitsEqual(params(hard), params(soft)) {
		t.Error("one-hot soft targets trained differently from hard labels")
	}

	ev, err := NewEvaluator(soft, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	z := make([]float32, 4*s.Classes)
	if err := ev.Logits(z, x); err != nil {
		t.Fatal(err)
	}
	p := []float32{0.8, 0.1, 0.1, 0, 0.5, 0.5, 1, 0, 0, 0.2, 0.3, 0.5}
	want := 0.0
	for i := range 4 {
		row := make([]float64, s.Classes)
		for c := range row {
			row[c] = float64(z[i*s.Classes+c])
		}
		for c, l := range closedLSM(row) {
			want -= float64(p[i*s.Classes+c]) * l / 4
		}
	}
	got, err := st.StepSoft(x, p)
	if err != nil || math.Abs(got-want) > 1e-6 {
		t.Errorf("StepSoft loss %v (%v), want %v", got, err, want)
	}
	for _, bad := range [][]float32{p[:5], {-0.1, 1.1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0}} {
		if _, err := st.StepSoft(x, bad); err == nil {
			t.Errorf("StepSoft(%v) succeeded", bad)
		}
	}
}
