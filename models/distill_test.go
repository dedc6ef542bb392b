package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// f64Distill is a float64 distillation graph with gradients for the parameters.
type f64Distill struct {
	gr    *graph
	vm    G.VM
	grads G.Nodes
}

func newF64Distill(t *testing.T, s Spec, vals []*tensor.Dense, x []float32, y []int, teacher []float64, T, alpha float64) *f64Distill {
	t.Helper()
	b, k := len(y), s.Classes
	gr, err := buildGraph(s, tensor.Float64, b, vals, modeDistill)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(gr.loss, gr.params...)
	if err != nil {
		t.Fatal(err)
	}
	xb := gr.xT.Data().([]float64)
	for i, v := range x {
		xb[i] = float64(v)
	}
	setTargets(gr.tT.Data().([]float64), y, k, (1-alpha)/float64(b))
	sb := gr.sT.Data().([]float64)
	q := make([]float64, k)
	for i := 0; i < b; i++ {
		if err := softmaxT(q, teacher[i*k:(i+1)*k], T); err != nil {
			t.Fatal(err)
		}
		for c, p := range q {
			sb[i*k+c] = alpha * T * T * p / float64(b)
		}
	}
	if err := gr.setInvT(1 / T); err != nil {
		t.Fatal(err)
	}
	return &f64Distill{gr: gr, vm: G.NewTapeMachine(gr.g), grads: grads}
}

func (f *f64Distill) run(t *testing.T) (float64, []float64, [][]float64) {
	t.Helper()
	defer f.vm.Reset()
	gs := runGrads(t, f.vm, f.grads)
	z := append([]float64(nil), f.gr.logits.Value().Data().([]float64)...)
	return scalar(f.gr.loss.Value()), z, gs
}

// TestDistillLossAndGradient checks, in float64, that the distillation graph's loss is
// α·T²·KL + (1−α)·CE plus the constant α·T²·H(q) (computed independently by distillTerms), and
// that its gradient with respect to every parameter matches central finite differences of
// α·T²·KL + (1−α)·CE itself.
func TestDistillLossAndGradient(t *testing.T) {
	t.Parallel()
	const h, tol = 1e-5, 1e-6
	for _, tc := range []struct {
		name     string
		spec     Spec
		T, alpha float64
	}{
		{"mlp T=1 alpha=1 (pure KL)", tinyMLP, 1, 1},
		{"mlp T=4 alpha=0.7", tinyMLP, 4, 0.7},
		{"mlp T=30 alpha=0.5", tinyMLP, 30, 0.5},
		{"cnn T=10 alpha=0.9", deepCNN, 10, 0.9},
		{"mlp alpha=0 (plain CE)", tinyMLP, 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, err := NewNet(tc.spec, 31)
			if err != nil {
				t.Fatal(err)
			}
			vals := f64Net(n, 32)
			x, y := randData(tc.spec, 4, 33)
			k := tc.spec.Classes
			rng := rand.New(rand.NewPCG(34, 0))
			teacher := make([]float64, len(y)*k)
			for i := range teacher {
				teacher[i] = 6 * rng.NormFloat64()
			}
			f := newF64Distill(t, tc.spec, vals, x, y, teacher, tc.T, tc.alpha)
			graphLoss, z, grads := f.run(t)
			terms := distillTerms(z, teacher, y, k, tc.T, tc.alpha)
			var ent float64 // mean teacher entropy at T
			q := make([]float64, k)
			for i := range y {
				_ = softmaxT(q, teacher[i*k:(i+1)*k], tc.T)
				for _, p := range q {
					if p > 0 {
						ent -= p * math.Log(p)
					}
				}
			}
			ent /= float64(len(y))
			if want := terms.Total + tc.alpha*tc.T*tc.T*ent; math.Abs(graphLoss-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Fatalf("graph loss %.12g, want α·T²·KL + (1−α)·CE + α·T²·H(q) = %.12g", graphLoss, want)
			}
			if tc.alpha > 0 && !(terms.KL > 0) {
				t.Fatalf("KL %v: want > 0 for a random student and teacher", terms.KL)
			}
			loss := func() float64 {
				_, z, _ := f.run(t)
				return distillTerms(z, teacher, y, k, tc.T, tc.alpha).Total
			}
			targets := make([][]float64, len(vals))
			names := make([]string, len(vals))
			for i, v := range vals {
				targets[i], names[i] = v.Data().([]float64), n.info[i].name
			}
			worst := checkCentralDiff(t, names, targets, grads, loss, h, tol, func(int) int { return 8 }, rand.New(rand.NewPCG(35, 0)))
			t.Logf("max relative error %.2g", worst)
		})
	}
}

// TestStepDistillLearnsTeacher checks the float32 trainer end to end: distilling a fixed
// teacher's logits on a separable problem (at T = 4, α = 1, so the labels are unused) drives the KL down by an order of
// magnitude, and the reported Total is α·T²·KL.
func TestStepDistillLearnsTeacher(t *testing.T) {
	t.Parallel()
	n, err := NewNet(tinyMLP, 41)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewDistillTrainer(n, 8, OptimSpec{Name: OptimAdam, LR: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x, y := separable(tinyMLP, 8, 42)
	teacher := make([]float32, 8*3)
	for i, c := range y {
		teacher[i*3+c] = 5 // a teacher that knows the class and ranks the next one second
		teacher[i*3+(c+1)%3] = 2
	}
	first, err := tr.StepDistill(x, y, teacher, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	var last DistillLoss
	for range 400 {
		if last, err = tr.StepDistill(x, y, teacher, 4, 1); err != nil {
			t.Fatal(err)
		}
	}
	if !(last.KL < first.KL/10) {
		t.Errorf("KL %g after 400 steps, from %g: want a tenfold drop", last.KL, first.KL)
	}
	if math.Abs(last.Total-16*last.KL) > 1e-9*math.Max(1, last.Total) {
		t.Errorf("Total %g, want T²·KL = %g at alpha 1", last.Total, 16*last.KL)
	}
	// Step on the same trainer is plain cross-entropy again: the soft term is cleared.
	ce, err := tr.Step(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(ce) || ce <= 0 {
		t.Errorf("Step after StepDistill: loss %v", ce)
	}
}

func TestStepDistillRefuses(t *testing.T) {
	t.Parallel()
	n, err := NewNet(tinyMLP, 51)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := NewTrainer(n, 2, OptimSpec{Name: OptimAdam, LR: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	dt, err := NewDistillTrainer(n, 2, OptimSpec{Name: OptimAdam, LR: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	defer dt.Close()
	x, y := randData(tinyMLP, 2, 52)
	good := make([]float32, 6)
	nan := []float32{0, 1, 2, 3, float32(math.NaN()), 5}
	for _, tc := range []struct {
		name     string
		tr       *Trainer
		teacher  []float32
		T, alpha float64
	}{
		{"plain trainer", plain, good, 4, 0.5},
		{"T = 0", dt, good, 0, 0.5},
		{"T = NaN", dt, good, math.NaN(), 0.5},
		{"alpha > 1", dt, good, 4, 1.5},
		{"short teacher", dt, good[:5], 4, 0.5},
		{"NaN teacher logit", dt, nan, 4, 0.5},
	} {
		if _, err := tc.tr.StepDistill(x, y, tc.teacher, tc.T, tc.alpha); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// TestNetCloneAndParams: a clone has the same parameters and is independent of its original;
// SetParams refuses tensors of another architecture and changes nothing then.
func TestNetCloneAndParams(t *testing.T) {
	t.Parallel()
	n, err := NewNet(tinyMLP, 61)
	if err != nil {
		t.Fatal(err)
	}
	c, err := n.Clone()
	if err != nil {
		t.Fatal(err)
	}
	a, b := n.Params(), c.Params()
	for i := range a {
		if a[i].Name != b[i].Name || !slices.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("clone differs at %s", a[i].Name)
		}
	}
	c.data(0)[0]++
	if n.data(0)[0] == c.data(0)[0] {
		t.Error("the clone shares its parameters with the original")
	}
	other, err := NewNet(deepCNN, 62)
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(n.data(0))
	if err := n.SetParams(other.Params()); err == nil {
		t.Error("SetParams took a CNN's tensors for an MLP")
	}
	if !slices.Equal(before, n.data(0)) {
		t.Error("a refused SetParams changed the parameters")
	}
}
