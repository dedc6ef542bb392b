package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradCase describes a finite-difference gradient check: inputs of the given shapes (float64,
// uniform in [lo, hi) unless init fills them), y = build(inputs), and the scalar
// cost = Σ y ⊙ R for a fixed random R (or cost = y·r when y is a scalar).
type gradCase struct {
	name   string
	shapes []tensor.Shape
	build  func(in G.Nodes) (*G.Node, error)
	wrt    []int                                  // inputs to differentiate; nil means all
	init   func(i int, v []float64, r *rand.Rand) // optional: fill input i
	lo, hi float64                                // default −1, 1
}

func randSlice(r *rand.Rand, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*r.Float64()
	}
	return v
}

// buildGrad builds the graph of tc in dtype dt and returns the inputs' backing tensors, the cost,
// the output node and the gradient nodes.
func buildGrad(t *testing.T, tc gradCase, seed uint64) (g *G.ExprGraph, vals []*tensor.Dense, in G.Nodes, y, cost *G.Node, grads G.Nodes) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	lo, hi := tc.lo, tc.hi
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	g = G.NewGraph()
	for i, s := range tc.shapes {
		v := randSlice(r, s.TotalSize(), lo, hi)
		if tc.init != nil {
			tc.init(i, v, r)
		}
		d := tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(v))
		vals = append(vals, d)
		in = append(in, G.NodeFromAny(g, d, G.WithName(string(rune('a'+i)))))
	}
	y, err := tc.build(in)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if y.IsScalar() {
		cost = G.Must(G.Mul(y, G.NewConstant(1.7)))
	} else {
		rv := tensor.New(tensor.WithShape(y.Shape().Clone()...), tensor.WithBacking(randSlice(r, y.Shape().TotalSize(), -1, 1)))
		cost = G.Must(G.Sum(G.Must(G.HadamardProd(y, G.NodeFromAny(g, rv, G.WithName("R"))))))
	}
	wrt := in
	if tc.wrt != nil {
		wrt = nil
		for _, i := range tc.wrt {
			wrt = append(wrt, in[i])
		}
	}
	if grads, err = G.Grad(cost, wrt...); err != nil {
		t.Fatalf("Grad: %v", err)
	}
	return g, vals, in, y, cost, grads
}

// checkGrads compares the analytic gradient (after two steps of one TapeMachine, so that reused
// buffers are exercised) with central differences, h = 1e-6, on up to 48 coordinates per input,
// and returns the largest error |a−n| / max(1, |a|, |n|).
func checkGrads(t *testing.T, tc gradCase) float64 {
	t.Helper()
	g, vals, _, _, cost, grads := buildGrad(t, tc, 1)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() float64 {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatalf("RunAll: %v", err)
		}
		c, err := scalarOf(cost.Value())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	run()
	run()
	wrt := tc.wrt
	if wrt == nil {
		for i := range vals {
			wrt = append(wrt, i)
		}
	}
	analytic := make([][]float64, len(wrt))
	for k, gn := range grads {
		analytic[k] = append([]float64(nil), gn.Value().Data().([]float64)...)
	}
	r := rand.New(rand.NewPCG(2, 3))
	const h = 1e-6
	var worst float64
	for k, i := range wrt {
		v := vals[i].Data().([]float64)
		idx := make([]int, len(v))
		for j := range idx {
			idx[j] = j
		}
		if len(idx) > 48 {
			r.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
			idx = idx[:48]
		}
		for _, j := range idx {
			old := v[j]
			v[j] = old + h
			cp := run()
			v[j] = old - h
			cm := run()
			v[j] = old
			num := (cp - cm) / (2 * h)
			a := analytic[k][j]
			e := math.Abs(a-num) / math.Max(1, math.Max(math.Abs(a), math.Abs(num)))
			if e > worst || math.IsNaN(e) {
				worst = e
			}
			if !(e <= 1e-6) {
				t.Errorf("%s: d cost/d input%d[%d] = %.10g analytic, %.10g numeric", tc.name, i, j, a, num)
			}
		}
	}
	return worst
}

// checkLisp runs the same graph on a LispMachine (which differentiates through DoDiff) and
// compares its input gradients with the TapeMachine's.
func checkLisp(t *testing.T, tc gradCase) {
	t.Helper()
	g, _, _, _, _, grads := buildGrad(t, tc, 1)
	vm := G.NewTapeMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatalf("tape: %v", err)
	}
	var want [][]float64
	for _, gn := range grads {
		want = append(want, append([]float64(nil), gn.Value().Data().([]float64)...))
	}
	vm.Close()

	// The Lisp machine differentiates a graph without symbolic gradient nodes.
	tc2 := tc
	g2, _, in2, _, cost2, _ := buildNoGrad(t, tc2, 1)
	lm := G.NewLispMachine(g2)
	defer lm.Close()
	if err := lm.RunAll(); err != nil {
		t.Fatalf("lisp: %v", err)
	}
	_ = cost2
	wrt := tc.wrt
	if wrt == nil {
		for i := range in2 {
			wrt = append(wrt, i)
		}
	}
	for k, i := range wrt {
		gv, err := in2[i].Grad()
		if err != nil {
			t.Fatalf("lisp grad of input %d: %v", i, err)
		}
		got := gv.Data().([]float64)
		if maxAbsDiff(got, make([]float64, len(got))) == 0 {
			t.Fatalf("%s: lisp gradient of input %d is all zero", tc.name, i)
		}
		for j := range got {
			if math.Abs(got[j]-want[k][j]) > 1e-9*math.Max(1, math.Abs(want[k][j])) {
				t.Fatalf("%s: lisp d/dinput%d[%d] = %v, tape %v", tc.name, i, j, got[j], want[k][j])
			}
		}
	}
}

// buildNoGrad is buildGrad without G.Grad (for the LispMachine).
func buildNoGrad(t *testing.T, tc gradCase, seed uint64) (g *G.ExprGraph, vals []*tensor.Dense, in G.Nodes, y, cost *G.Node, grads G.Nodes) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	lo, hi := tc.lo, tc.hi
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	g = G.NewGraph()
	for i, s := range tc.shapes {
		v := randSlice(r, s.TotalSize(), lo, hi)
		if tc.init != nil {
			tc.init(i, v, r)
		}
		d := tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(v))
		vals = append(vals, d)
		in = append(in, G.NodeFromAny(g, d, G.WithName(string(rune('a'+i)))))
	}
	y, err := tc.build(in)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if y.IsScalar() {
		cost = G.Must(G.Mul(y, G.NewConstant(1.7)))
	} else {
		rv := tensor.New(tensor.WithShape(y.Shape().Clone()...), tensor.WithBacking(randSlice(r, y.Shape().TotalSize(), -1, 1)))
		cost = G.Must(G.Sum(G.Must(G.HadamardProd(y, G.NodeFromAny(g, rv, G.WithName("R"))))))
	}
	return g, vals, in, y, cost, nil
}

// forward runs build on the given float64 or float32 values and returns y's data as float64.
func forward(t *testing.T, build func(G.Nodes) (*G.Node, error), vals ...*tensor.Dense) []float64 {
	t.Helper()
	g := G.NewGraph()
	var in G.Nodes
	for i, v := range vals {
		in = append(in, G.NodeFromAny(g, v, G.WithName(string(rune('a'+i)))))
	}
	y, err := build(in)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	switch d := y.Value().Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	t.Fatalf("unexpected output %T", y.Value())
	return nil
}

// f32 converts float64 values to a float32 tensor of the same shape.
func f32(d *tensor.Dense) *tensor.Dense {
	v := d.Data().([]float64)
	o := make([]float32, len(v))
	for i, x := range v {
		o[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(o))
}

func randDense(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(randSlice(r, tensor.Shape(shape).TotalSize(), lo, hi)))
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		if d := math.Abs(a[i] - b[i]); d > m || math.IsNaN(d) {
			m = d
		}
	}
	return m
}

// checkF32 runs tc's graph in float32 and in float64 from the same values and compares the
// gradients: |g32 − g64| ≤ tol·max(1, |g64|).
func checkF32(t *testing.T, tc gradCase, tol float64) {
	t.Helper()
	grads := func(dt tensor.Dtype) [][]float64 {
		r := rand.New(rand.NewPCG(1, 7))
		lo, hi := tc.lo, tc.hi
		if lo == 0 && hi == 0 {
			lo, hi = -1, 1
		}
		g := G.NewGraph()
		var in G.Nodes
		for i, s := range tc.shapes {
			v := randSlice(r, s.TotalSize(), lo, hi)
			if tc.init != nil {
				tc.init(i, v, r)
			}
			d := tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(v))
			if dt == tensor.Float32 {
				d = f32(d)
			}
			in = append(in, G.NodeFromAny(g, d, G.WithName(string(rune('a'+i)))))
		}
		y, err := tc.build(in)
		if err != nil {
			t.Fatal(err)
		}
		cost := y
		if !y.IsScalar() {
			cost = G.Must(G.Sum(y))
		}
		wrt := in
		if tc.wrt != nil {
			wrt = nil
			for _, i := range tc.wrt {
				wrt = append(wrt, in[i])
			}
		}
		gn, err := G.Grad(cost, wrt...)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var out [][]float64
		for _, n := range gn {
			switch d := n.Value().Data().(type) {
			case []float64:
				out = append(out, append([]float64(nil), d...))
			case []float32:
				o := make([]float64, len(d))
				for i, v := range d {
					o[i] = float64(v)
				}
				out = append(out, o)
			}
		}
		return out
	}
	g64, g32 := grads(tensor.Float64), grads(tensor.Float32)
	for i := range g64 {
		for j := range g64[i] {
			if math.Abs(g32[i][j]-g64[i][j]) > tol*math.Max(1, math.Abs(g64[i][j])) {
				t.Fatalf("%s: float32 grad %d[%d] = %v, float64 %v", tc.name, i, j, g32[i][j], g64[i][j])
			}
		}
	}
}
