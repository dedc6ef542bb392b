package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// waveNet builds a small WaveNet-style stack (gated dilated convs, 1×1 skip and residual convs,
// mean-pooled skip, cross-entropy head) on N×1×T input, float64, with fixed weights.
func waveNet(t testing.TB, n, c, tt int, dilations []int, seed uint64) (g *G.ExprGraph, cost *G.Node, params G.Nodes) {
	r := rand.New(rand.NewPCG(seed, 99))
	g = G.NewGraph()
	x := G.NodeFromAny(g, randDense(r, -1, 1, n, 1, tt), G.WithName("x"))
	yv := make([]float64, n*3)
	for i := 0; i < n; i++ {
		yv[i*3+r.IntN(3)] = 1
	}
	y := G.NodeFromAny(g, tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(yv)), G.WithName("y"))
	param := func(scale float64, shape ...int) *G.Node {
		p := G.NodeFromAny(g, randDense(r, -scale, scale, shape...), G.WithName(fmt.Sprintf("p%d", len(params))))
		params = append(params, p)
		return p
	}
	h := G.Must(CausalConv1DBias(x, param(0.5, c, 1, 2), param(0.1, c), 1))
	var skip *G.Node
	for i, d := range dilations {
		a := G.Must(CausalConv1D(h, param(0.4, c, c, 2), d))
		b := G.Must(CausalConv1DBias(h, param(0.4, c, c, 2), param(0.1, c), d))
		z := G.Must(Gated(a, b))
		s := G.Must(CausalConv1D(z, param(0.4, c, c, 1), 1))
		if skip == nil {
			skip = s
		} else {
			skip = G.Must(G.Add(skip, s))
		}
		if i < len(dilations)-1 {
			h = G.Must(G.Add(h, G.Must(CausalConv1D(z, param(0.4, c, c, 1), 1))))
		}
	}
	pooled := G.Must(G.Mean(G.Must(G.Rectify(skip)), 2))
	cost = G.Must(SoftmaxCrossEntropy(G.Must(G.Mul(pooled, param(0.5, c, 3))), y))
	return g, cost, params
}

// runSteps runs steps SGD steps and returns the losses and the final parameters.
func runSteps(t *testing.T, g *G.ExprGraph, cost *G.Node, params G.Nodes, steps int) ([]float64, [][]float64) {
	t.Helper()
	vm := G.NewTapeMachine(g, G.BindDualValues(params...))
	defer vm.Close()
	solver := G.NewVanillaSolver(G.WithLearnRate(0.1))
	var losses []float64
	for s := 0; s < steps; s++ {
		if err := vm.RunAll(); err != nil {
			t.Fatalf("step %d: %v", s, err)
		}
		l, err := scalarOf(cost.Value())
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, l)
		if err := solver.Step(G.NodesToValueGrads(params)); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	var ps [][]float64
	for _, p := range params {
		ps = append(ps, append([]float64(nil), p.Value().Data().([]float64)...))
	}
	return losses, ps
}

// A planned graph computes exactly what the unplanned one does, in less memory, also on a
// subgraph pruned to the cost and gradients.
func TestPlanMatchesUnplanned(t *testing.T) {
	t.Parallel()
	const n, c, tt, steps = 2, 4, 3000, 3
	dil := []int{1, 2, 4, 8}
	g0, cost0, p0 := waveNet(t, n, c, tt, dil, 5)
	if _, err := G.Grad(cost0, p0...); err != nil {
		t.Fatal(err)
	}
	want, wantP := runSteps(t, g0, cost0, p0, steps)

	for _, prune := range []bool{false, true} {
		g1, cost1, p1 := waveNet(t, n, c, tt, dil, 5)
		grads, err := G.Grad(cost1, p1...)
		if err != nil {
			t.Fatal(err)
		}
		if prune {
			g1 = g1.SubgraphRoots(append(G.Nodes{cost1}, grads...)...)
		}
		st, err := Plan(g1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("prune=%t: %v", prune, st)
		if st.Outputs == 0 || st.BytesAfter >= st.BytesBefore {
			t.Errorf("prune=%t: plan saved nothing: %v", prune, st)
		}
		got, gotP := runSteps(t, g1, cost1, p1, steps)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("prune=%t step %d: loss %v planned, %v unplanned", prune, i, got[i], want[i])
			}
		}
		for i := range wantP {
			if d := maxAbsDiff(gotP[i], wantP[i]); d != 0 {
				t.Errorf("prune=%t: parameter %d differs by %g after %d steps", prune, i, d, steps)
			}
		}
	}
}

// The CNN with conv, pool and cross-entropy, planned, matches the stock-op CNN step for step.
func TestPlanCNNMatchesStock(t *testing.T) {
	t.Parallel()
	const n, classes = 8, 3
	r := rand.New(rand.NewPCG(51, 52))
	x := randDense(r, 0, 1, n, 1, 24, 24)
	yv := make([]float64, n*classes)
	for i := 0; i < n; i++ {
		yv[i*classes+r.IntN(classes)] = 1
	}
	y := tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(yv))
	init := []*tensor.Dense{randDense(r, -0.5, 0.5, 4, 1, 3, 3), randDense(r, -0.3, 0.3, 6, 4, 3, 3), randDense(r, -0.1, 0.1, 6*6*6, classes)}
	var losses [2][]float64
	for k, ours := range []bool{true, false} {
		m := newSmallCNN(t, ours, tensor.Float64, n, x, y, init)
		if ours {
			st, err := Plan(m.g)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v", st)
		}
		losses[k], _ = runSteps(t, m.g, m.cost, m.params, 4)
	}
	for i := range losses[0] {
		if d := losses[0][i] - losses[1][i]; d > 1e-10 || d < -1e-10 {
			t.Errorf("step %d: loss %v (ours, planned) vs %v (stock)", i, losses[0][i], losses[1][i])
		}
	}
}
