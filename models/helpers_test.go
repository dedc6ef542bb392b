package models

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Tiny specs for gradient checks and fast tests.
var (
	tinyMLP = Spec{Arch: ArchMLP, C: 1, H: 2, W: 3, Classes: 3, Hidden: []int{5}}         // 6-5-3
	tinyCNN = Spec{Arch: ArchCNN, C: 1, H: 6, W: 6, Classes: 3, Conv: []int{2}, FC: 4}    // 1×6×6, 2-channel conv
	deepCNN = Spec{Arch: ArchCNN, C: 2, H: 5, W: 7, Classes: 4, Conv: []int{3, 2}, FC: 5} // odd sizes, two stages
)

// randData returns k samples with pixels uniform in [0.05, 0.95) (no exact zeros, so no ReLU or
// max-pool ties at the check point) and labels uniform in 0..classes-1.
func randData(s Spec, k int, seed uint64) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float32, k*s.InputDim())
	for i := range x {
		x[i] = float32(0.05 + 0.9*rng.Float64())
	}
	y := make([]int, k)
	for i := range y {
		y[i] = rng.IntN(s.Classes)
	}
	return x, y
}

// separable returns k samples of a problem a small net learns quickly: class c lights up
// pixel band c, plus noise.
func separable(s Spec, k int, seed uint64) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	dim := s.InputDim()
	x := make([]float32, k*dim)
	y := make([]int, k)
	for i := range y {
		c := rng.IntN(s.Classes)
		y[i] = c
		for j := 0; j < dim; j++ {
			v := 0.2 * rng.Float64()
			if j*s.Classes/dim == c {
				v += 0.7
			}
			x[i*dim+j] = float32(v)
		}
	}
	return x, y
}

// f64Net returns float64 copies of n's parameters, with biases set to small random values so
// that no pre-activation sits exactly on a ReLU kink.
func f64Net(n *Net, seed uint64) []*tensor.Dense {
	rng := rand.New(rand.NewPCG(seed, 3))
	var vs []*tensor.Dense
	for i, p := range n.info {
		d := make([]float64, p.shape.TotalSize())
		for j, v := range n.data(i) {
			d[j] = float64(v)
			if p.init == initZero {
				d[j] = 0.1 * rng.NormFloat64()
			}
		}
		vs = append(vs, tensor.New(tensor.WithShape(p.shape.Clone()...), tensor.WithBacking(d)))
	}
	return vs
}

// f64Graph is a float64 loss graph with gradients for the parameters and the input.
type f64Graph struct {
	gr    *graph
	vm    G.VM
	grads G.Nodes // d loss / d params..., then d loss / d x
}

func newF64Graph(t *testing.T, s Spec, vals []*tensor.Dense, x []float32, y []int) *f64Graph {
	t.Helper()
	gr, err := buildGraph(s, tensor.Float64, len(y), vals, modeLoss)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(gr.loss, append(append(G.Nodes{}, gr.params...), gr.x)...)
	if err != nil {
		t.Fatal(err)
	}
	xb := gr.xT.Data().([]float64)
	for i, v := range x {
		xb[i] = float64(v)
	}
	setTargets(gr.tT.Data().([]float64), y, s.Classes, 1/float64(len(y)))
	return &f64Graph{gr: gr, vm: G.NewTapeMachine(gr.g), grads: grads}
}

// run returns the loss and copies of all gradients.
func (f *f64Graph) run(t *testing.T) (float64, [][]float64) {
	t.Helper()
	defer f.vm.Reset()
	gs := runGrads(t, f.vm, f.grads)
	return scalar(f.gr.loss.Value()), gs
}

// runGrads runs vm once and returns copies of the float64 values of grads; the caller resets
// vm after reading whatever else it needs from the run.
func runGrads(t *testing.T, vm G.VM, grads G.Nodes) [][]float64 {
	t.Helper()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gs := make([][]float64, len(grads))
	for i, g := range grads {
		gs[i] = append([]float64(nil), g.Value().Data().([]float64)...)
	}
	return gs
}

// checkCentralDiff compares analytic gradients with central differences
// (loss(θ+h) − loss(θ−h)) / 2h: for each targets[k] (perturbed in place and restored), at the
// entries of rng.Perm(len(targets[k])) cut to limit(k) (no cut when limit returns < 0), it reports
// every relative error |num − ana| / max(|num|, |ana|, 1e-4) above tol and returns the largest.
func checkCentralDiff(t *testing.T, names []string, targets, grads [][]float64, loss func() float64,
	h, tol float64, limit func(k int) int, rng *rand.Rand) float64 {
	t.Helper()
	worst := 0.0
	for k, data := range targets {
		idx := rng.Perm(len(data))
		if n := limit(k); n >= 0 && len(idx) > n {
			idx = idx[:n]
		}
		for _, j := range idx {
			orig := data[j]
			data[j] = orig + h
			lp := loss()
			data[j] = orig - h
			lm := loss()
			data[j] = orig
			num, ana := (lp-lm)/(2*h), grads[k][j]
			rel := math.Abs(num-ana) / math.Max(math.Max(math.Abs(num), math.Abs(ana)), 1e-4)
			worst = math.Max(worst, rel)
			if rel > tol {
				t.Errorf("d loss/d %s[%d]: analytic %.10g, numeric %.10g (rel err %.2g)", names[k], j, ana, num, rel)
			}
		}
	}
	return worst
}
