package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// smallCNN is conv3x3(pad 1)-relu-pool-conv3x3(pad 1)-relu-pool-dense on N×1×8×8 inputs, built
// with this package's ops (ours) or Gorgonia's stock ones.
type smallCNN struct {
	g      *G.ExprGraph
	x, y   *G.Node
	params G.Nodes
	cost   *G.Node
}

func newSmallCNN(t testing.TB, ours bool, dt tensor.Dtype, n int, xv, yv *tensor.Dense, init []*tensor.Dense) *smallCNN {
	m := &smallCNN{g: G.NewGraph()}
	m.x = G.NodeFromAny(m.g, xv, G.WithName("x"))
	m.y = G.NodeFromAny(m.g, yv, G.WithName("y"))
	for i, v := range init {
		m.params = append(m.params, G.NodeFromAny(m.g, v.Clone().(*tensor.Dense), G.WithName(string(rune('p'+i)))))
	}
	conv := func(x, w *G.Node) *G.Node {
		if ours {
			return G.Must(Conv2D(x, w, 1, 1))
		}
		return G.Must(G.Conv2d(x, w, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
	}
	pool := func(x *G.Node) *G.Node {
		if ours {
			return G.Must(MaxPool2x2(x))
		}
		return G.Must(G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
	}
	h := pool(G.Must(G.Rectify(conv(m.x, m.params[0]))))
	h = pool(G.Must(G.Rectify(conv(h, m.params[1]))))
	h = G.Must(G.Reshape(h, tensor.Shape{n, h.Shape().TotalSize() / n}))
	logits := G.Must(G.Mul(h, m.params[2]))
	if ours {
		m.cost = G.Must(SoftmaxCrossEntropy(logits, m.y))
	} else {
		lsm := G.Must(G.LogSoftMax(logits))
		m.cost = G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(lsm, m.y)), 1))))))
	}
	if _, err := G.Grad(m.cost, m.params...); err != nil {
		t.Fatalf("Grad: %v", err)
	}
	return m
}

func cnnData(r *rand.Rand, n, classes int) (x, y *tensor.Dense, init []*tensor.Dense) {
	x = randDense(r, 0, 1, n, 1, 8, 8)
	yv := make([]float64, n*classes)
	for i := 0; i < n; i++ {
		yv[i*classes+r.IntN(classes)] = 1
	}
	y = tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(yv))
	init = []*tensor.Dense{randDense(r, -0.5, 0.5, 4, 1, 3, 3), randDense(r, -0.3, 0.3, 6, 4, 3, 3), randDense(r, -0.3, 0.3, 6*2*2, classes)}
	return x, y, init
}

// Five SGD steps of the same CNN with our ops and with Gorgonia's stock ops give the same losses
// (float64), so the ops are drop-in replacements inside a real TapeMachine + solver loop.
func TestCNNMatchesStock(t *testing.T) {
	t.Parallel()
	const n, classes = 5, 3
	r := rand.New(rand.NewPCG(41, 42))
	x, y, init := cnnData(r, n, classes)
	var losses [2][]float64
	for k, ours := range []bool{true, false} {
		m := newSmallCNN(t, ours, tensor.Float64, n, x, y, init)
		vm := G.NewTapeMachine(m.g, G.BindDualValues(m.params...))
		solver := G.NewVanillaSolver(G.WithLearnRate(0.5))
		for step := 0; step < 5; step++ {
			if err := vm.RunAll(); err != nil {
				t.Fatalf("ours=%t step %d: %v", ours, step, err)
			}
			l, _ := scalarOf(m.cost.Value())
			losses[k] = append(losses[k], l)
			if err := solver.Step(G.NodesToValueGrads(m.params)); err != nil {
				t.Fatalf("solver: %v", err)
			}
			vm.Reset()
		}
		vm.Close()
	}
	t.Logf("ours %v\nstock %v", losses[0], losses[1])
	for i := range losses[0] {
		if math.Abs(losses[0][i]-losses[1][i]) > 1e-10 {
			t.Errorf("step %d: loss %v (ours) vs %v (stock)", i, losses[0][i], losses[1][i])
		}
	}
	if !(losses[0][4] < losses[0][0]) {
		t.Errorf("loss did not decrease: %v", losses[0])
	}
}
