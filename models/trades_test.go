package models

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// f64TRADES is the float64 TRADES graph with gradients for the parameters, then x, then x'.
type f64TRADES struct {
	tg    *tradesGraph
	vm    G.VM
	grads G.Nodes
}

func newF64TRADES(t *testing.T, s Spec, vals []*tensor.Dense, x, xa []float32, y []int, beta float64) *f64TRADES {
	t.Helper()
	tg, err := buildTRADES(s, tensor.Float64, len(y), vals)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(tg.total, append(append(G.Nodes{}, tg.params...), tg.x, tg.xa)...)
	if err != nil {
		t.Fatal(err)
	}
	setTRADES(tg, to64(x), to64(xa), y, s.WithDefaults().Classes, beta)
	return &f64TRADES{tg: tg, vm: G.NewTapeMachine(tg.g), grads: grads}
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func (f *f64TRADES) run(t *testing.T) (float64, [][]float64) {
	t.Helper()
	defer f.vm.Reset()
	gs := runGrads(t, f.vm, f.grads)
	return scalar(f.tg.total.Value()), gs
}

// tradesRef computes the TRADES loss of one batch directly from float64 logits, for checking the
// graph's value: (1/B) Σ_i [−log p_i[y_i] + β Σ_c p_ic (log p_ic − log q_ic)].
func tradesRef(z, za []float64, y []int, classes int, beta float64) float64 {
	lsm := func(row []float64) []float64 {
		m := row[0]
		for _, v := range row {
			m = math.Max(m, v)
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(v - m)
		}
		out := make([]float64, len(row))
		for i, v := range row {
			out[i] = v - m - math.Log(s)
		}
		return out
	}
	var l float64
	for i, c := range y {
		lp, lq := lsm(z[i*classes:(i+1)*classes]), lsm(za[i*classes:(i+1)*classes])
		l -= lp[c]
		for k := range lp {
			l += beta * math.Exp(lp[k]) * (lp[k] - lq[k])
		}
	}
	return l / float64(len(y))
}

// TestTRADESGradFiniteDifferences checks the float64 TRADES graph: its value against a direct
// computation from the logits, and its gradient with respect to every parameter tensor (up to
// 10 entries each), the clean input and the adversarial input against central differences with
// h = 1e-5.
func TestTRADESGradFiniteDifferences(t *testing.T) {
	t.Parallel()
	const h, tol = 1e-5, 1e-6
	for _, tc := range []struct {
		name string
		spec Spec
		beta float64
	}{
		{"mlp 6-5-3 beta 1", tinyMLP, 1},
		{"mlp 6-5-3 beta 6", tinyMLP, 6},
		{"cnn 1x6x6 beta 2", tinyCNN, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, err := NewNet(tc.spec, 31)
			if err != nil {
				t.Fatal(err)
			}
			vals := f64Net(n, 32)
			x, y := randData(tc.spec, 3, 33)
			xa, _ := randData(tc.spec, 3, 34)
			f := newF64TRADES(t, tc.spec, vals, x, xa, y, tc.beta)
			got, grads := f.run(t)

			// The value, from logits of the plain float64 forward graph.
			logits := func(in []float32) []float64 {
				g, err := buildGraph(tc.spec, tensor.Float64, len(y), vals, modeForward)
				if err != nil {
					t.Fatal(err)
				}
				copy(g.xT.Data().([]float64), to64(in))
				vm := G.NewTapeMachine(g.g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				return append([]float64(nil), g.logits.Value().Data().([]float64)...)
			}
			want := tradesRef(logits(x), logits(xa), y, tc.spec.Classes, tc.beta)
			if math.Abs(got-want) > 1e-12*math.Max(1, want) {
				t.Errorf("TRADES loss %.15g, direct computation %.15g", got, want)
			}

			loss := func() float64 { l, _ := f.run(t); return l }
			targets := [][]float64{}
			names := []string{}
			for i, v := range vals {
				targets = append(targets, v.Data().([]float64))
				names = append(names, n.info[i].name)
			}
			targets = append(targets, f.tg.xT.Data().([]float64), f.tg.xaT.Data().([]float64))
			names = append(names, "x", "x_adv")
			rng := rand.New(rand.NewPCG(35, 0))
			worst := checkCentralDiff(t, names, targets, grads, loss, h, tol, func(int) int { return 10 }, rng)
			t.Logf("max relative error %.2g", worst)
		})
	}
}

// TestTRADESFloat32Matches checks the float32 plumbing against the float64 graph: StepTRADES with
// plain SGD at lr 1 moves each parameter by its gradient, and GradSoft with targets
// p = softmax(f(x)) gives (1/β)·∂L/∂x' (the KL term is the only one that sees x').
func TestTRADESFloat32Matches(t *testing.T) {
	t.Parallel()
	for _, s := range []Spec{tinyMLP, deepCNN} {
		t.Run(s.Arch, func(t *testing.T) {
			t.Parallel()
			const k, beta = 4, 3.0
			n := mustNet(t, s, 41)
			vals := f64Net(n, 42)
			for i := range n.info {
				for j, v := range vals[i].Data().([]float64) {
					n.data(i)[j] = float32(v)
				}
			}
			x, y := randData(s, k, 43)
			xa, _ := randData(s, k, 44)
			want, wantGrads := newF64TRADES(t, s, vals, x, xa, y, beta).run(t)

			// GradSoft, batch 3 (two runs, the second padded).
			ev, err := NewEvaluator(n, k)
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			z := make([]float32, k*s.Classes)
			if err := ev.Logits(z, x); err != nil {
				t.Fatal(err)
			}
			p := make([]float32, len(z))
			for i := 0; i < k; i++ {
				row := z[i*s.Classes : (i+1)*s.Classes]
				m := float64(row[0])
				for _, v := range row {
					m = math.Max(m, float64(v))
				}
				sum := 0.0
				for _, v := range row {
					sum += math.Exp(float64(v) - m)
				}
				for c, v := range row {
					p[i*s.Classes+c] = float32(math.Exp(float64(v)-m) / sum)
				}
			}
			ig, err := NewInputGrad(n, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer ig.Close()
			dxa := make([]float32, len(xa))
			if _, err := ig.GradSoft(dxa, xa, p); err != nil {
				t.Fatal(err)
			}
			gxa := wantGrads[len(wantGrads)-1]
			scaled := make([]float64, len(gxa))
			for i, v := range gxa {
				scaled[i] = v / beta
			}
			compare(t, "GradSoft dx'", dxa, scaled)

			tr, err := NewTrainer(n, k, OptimSpec{Name: OptimSGD, LR: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			g, err := NewTRADES(n, k, beta)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			before := params(n)
			loss, err := tr.StepTRADES(g, x, xa, y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(loss-want) > 1e-5*math.Max(1, want) {
				t.Errorf("StepTRADES loss %v, float64 graph %v", loss, want)
			}
			if tr.Steps() != 1 {
				t.Errorf("Steps() = %d after one TRADES step", tr.Steps())
			}
			for i, pi := range n.info {
				d := make([]float32, len(before[i]))
				for j := range d {
					d[j] = before[i][j] - n.data(i)[j]
				}
				compare(t, "StepTRADES grad "+pi.name, d, wantGrads[i])
			}
		})
	}
}

// TestTRADESRejects: wrong sizes, a graph of another net, a bad beta and a NaN input are errors
// that change nothing.
func TestTRADESRejects(t *testing.T) {
	t.Parallel()
	s := tinyMLP
	n, other := mustNet(t, s, 1), mustNet(t, s, 2)
	tr := mustTrainer(t, n, 2, OptimSpec{})
	g, err := NewTRADES(n, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	og, err := NewTRADES(other, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer og.Close()
	if _, err := NewTRADES(n, 2, -1); err == nil {
		t.Error("beta -1 accepted")
	}
	x, y := randData(s, 2, 3)
	nan := append([]float32(nil), x...)
	nan[0] = float32(math.NaN())
	before := params(n)
	for _, tc := range []struct {
		name  string
		g     *TRADES
		x, xa []float32
		y     []int
	}{
		{"short labels", g, x, x, y[:1]},
		{"short x'", g, x, x[:3], y},
		{"other net", og, x, x, y},
		{"label out of range", g, x, x, []int{0, 7}},
		{"nan x'", g, x, nan, y},
	} {
		if _, err := tr.StepTRADES(tc.g, tc.x, tc.xa, tc.y); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if !bitsEqual(before, params(n)) || tr.Steps() != 0 {
		t.Error("a rejected step changed the net")
	}
}
