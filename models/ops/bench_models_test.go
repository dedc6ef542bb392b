package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Whole-model steps (forward + backward, no solver), ours against stock Gorgonia; see bench_test.go.

// BenchmarkCNNStep times forward + backward of the MNIST CNN of research/gorgonia.md
// (conv32-relu-pool-conv64-relu-pool-fc128-relu-fc10, batch 128, float32), ours vs stock.
// The solver step is not included (it is the same for both).
func BenchmarkCNNStep(b *testing.B) {
	const n = 128
	r := rand.New(rand.NewPCG(11, 12))
	x := rand32(r, 0, 1, n, 1, 28, 28)
	yv := make([]float32, n*10)
	for i := 0; i < n; i++ {
		yv[i*10+r.IntN(10)] = 1
	}
	y := tensor.New(tensor.WithShape(n, 10), tensor.WithBacking(yv))
	w1 := rand32(r, -0.3, 0.3, 32, 1, 3, 3)
	w2 := rand32(r, -0.06, 0.06, 64, 32, 3, 3)
	w3 := rand32(r, -0.02, 0.02, 64*7*7, 128)
	w4 := rand32(r, -0.1, 0.1, 128, 10)
	// poolFirst: MaxPool2x2 before Relu, which gives the same values and gradients (max commutes
	// with the monotone ReLU; a window whose max is ≤ 0 gets a zero gradient either way) on a
	// quarter of the elements.
	for _, v := range []struct {
		name                         string
		ours, prune, plan, poolFirst bool
	}{{"ours", true, false, false, false}, {"ours_pruned", true, true, false, false}, {"ours_planned", true, false, true, false},
		{"ours_pruned_planned", true, true, true, false}, {"ours_pruned_planned_poolfirst", true, true, true, true}, {"stock", false, false, false, false}} {
		ours := v.ours
		b.Run(v.name, func(b *testing.B) {
			g := G.NewGraph()
			xn := G.NodeFromAny(g, x, G.WithName("x"))
			yn := G.NodeFromAny(g, y, G.WithName("y"))
			var params G.Nodes
			for i, w := range []*tensor.Dense{w1, w2, w3, w4} {
				params = append(params, G.NodeFromAny(g, w.Clone().(*tensor.Dense), G.WithName(fmt.Sprintf("w%d", i))))
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
			relu := func(x *G.Node) *G.Node {
				if ours {
					return G.Must(Relu(x))
				}
				return G.Must(G.Rectify(x))
			}
			block := func(x, w *G.Node) *G.Node {
				if v.poolFirst {
					return relu(pool(conv(x, w)))
				}
				return pool(relu(conv(x, w)))
			}
			h := block(xn, params[0])
			h = block(h, params[1])
			h = G.Must(G.Reshape(h, tensor.Shape{n, 64 * 7 * 7}))
			h = relu(G.Must(G.Mul(h, params[2])))
			logits := G.Must(G.Mul(h, params[3]))
			var cost *G.Node
			if ours {
				cost = G.Must(SoftmaxCrossEntropy(logits, yn))
			} else {
				lsm := G.Must(G.LogSoftMax(logits))
				cost = G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(lsm, yn)), 1))))))
			}
			grads, err := G.Grad(cost, params...)
			if err != nil {
				b.Fatal(err)
			}
			if v.prune { // drop nodes nothing needs, such as dx of the first conv
				g = g.SubgraphRoots(append(G.Nodes{cost}, grads...)...)
			}
			if v.plan { // share output buffers
				if _, err := Plan(g); err != nil {
					b.Fatal(err)
				}
			}
			vm := G.NewTapeMachine(g, G.BindDualValues(params...))
			defer vm.Close()
			step := func() {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				vm.Reset()
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				step()
			}
		})
	}
}

// BenchmarkWaveNetStep times forward + backward of the WaveNet-style stack of the issue: 2 blocks
// × dilations 1..64, 32 channels, gated (two K=2 causal convs with bias), 1×1 residual and skip
// convs, mean-pooled skip into a 10-way head, N=16, T=8000, float32, built from our ops (the stock
// version takes ~30 s and ~20 GB per step; see research/gorgonia.md). "planned" shares output
// buffers (Plan) on the graph pruned to cost and gradients; "own" keeps one buffer per op.
// Peak RSS: run one sub-benchmark per process under /usr/bin/time -v.
func BenchmarkWaveNetStep(b *testing.B) {
	for _, planned := range []bool{false, true} {
		b.Run(map[bool]string{false: "own", true: "planned"}[planned], func(b *testing.B) { waveNetStep(b, planned) })
	}
}

func waveNetStep(b *testing.B, planned bool) {
	const n, c, t, classes = 16, 32, 8000, 10
	r := rand.New(rand.NewPCG(13, 14))
	g := G.NewGraph()
	x := G.NodeFromAny(g, rand32(r, -1, 1, n, 1, t), G.WithName("x"))
	yv := make([]float32, n*classes)
	for i := 0; i < n; i++ {
		yv[i*classes+r.IntN(classes)] = 1
	}
	y := G.NodeFromAny(g, tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(yv)), G.WithName("y"))
	var params G.Nodes
	param := func(scale float64, shape ...int) *G.Node {
		p := G.NodeFromAny(g, rand32(r, -scale, scale, shape...), G.WithName(fmt.Sprintf("p%d", len(params))))
		params = append(params, p)
		return p
	}
	h := G.Must(CausalConv1D(x, param(0.5, c, 1, 2), 1))
	var skip *G.Node
	layers := 0
	for block := 0; block < 2; block++ {
		for d := 1; d <= 64; d *= 2 {
			layers++
			last := block == 1 && d == 64
			a := G.Must(CausalConv1DBias(h, param(0.15, c, c, 2), param(0.1, c), d))
			bb := G.Must(CausalConv1DBias(h, param(0.15, c, c, 2), param(0.1, c), d))
			z := G.Must(Gated(a, bb))
			s := G.Must(CausalConv1D(z, param(0.2, c, c, 1), 1))
			if skip == nil {
				skip = s
			} else {
				skip = G.Must(G.Add(skip, s))
			}
			if !last {
				h = G.Must(G.Add(h, G.Must(CausalConv1D(z, param(0.2, c, c, 1), 1))))
			}
		}
	}
	pooled := G.Must(G.Mean(G.Must(G.Rectify(skip)), 2)) // N×C
	logits := G.Must(G.Mul(pooled, param(0.2, c, classes)))
	cost := G.Must(SoftmaxCrossEntropy(logits, y))
	grads, err := G.Grad(cost, params...)
	if err != nil {
		b.Fatal(err)
	}
	if planned {
		g = g.SubgraphRoots(append(G.Nodes{cost}, grads...)...)
		st, err := Plan(g)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("plan: %v", st)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(params...))
	defer vm.Close()
	step := func() {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
	b.ReportMetric(float64(layers), "layers")
}

// BenchmarkMLPStep times forward + backward of the 784-256-256-10 MLP of research/gorgonia.md
// (batch 128, float32). Its matmuls are stock Gorgonia (BLAS); "ours" swaps in Relu and
// SoftmaxCrossEntropy for G.Rectify and the LogSoftMax composition.
func BenchmarkMLPStep(b *testing.B) {
	const n = 128
	r := rand.New(rand.NewPCG(15, 16))
	x := rand32(r, 0, 1, n, 784)
	yv := make([]float32, n*10)
	for i := 0; i < n; i++ {
		yv[i*10+r.IntN(10)] = 1
	}
	y := tensor.New(tensor.WithShape(n, 10), tensor.WithBacking(yv))
	ws := []*tensor.Dense{rand32(r, -0.05, 0.05, 784, 256), rand32(r, -0.1, 0.1, 256, 256), rand32(r, -0.1, 0.1, 256, 10)}
	for _, ours := range []bool{true, false} {
		b.Run(map[bool]string{true: "ours", false: "stock"}[ours], func(b *testing.B) {
			g := G.NewGraph()
			h := G.NodeFromAny(g, x, G.WithName("x"))
			yn := G.NodeFromAny(g, y, G.WithName("y"))
			var params G.Nodes
			for i, w := range ws {
				p := G.NodeFromAny(g, w.Clone().(*tensor.Dense), G.WithName(fmt.Sprintf("w%d", i)))
				params = append(params, p)
				h = G.Must(G.Mul(h, p))
				if i < len(ws)-1 {
					if ours {
						h = G.Must(Relu(h))
					} else {
						h = G.Must(G.Rectify(h))
					}
				}
			}
			var cost *G.Node
			if ours {
				cost = G.Must(SoftmaxCrossEntropy(h, yn))
			} else {
				lsm := G.Must(G.LogSoftMax(h))
				cost = G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(lsm, yn)), 1))))))
			}
			grads, err := G.Grad(cost, params...)
			if err != nil {
				b.Fatal(err)
			}
			if ours {
				g = g.SubgraphRoots(append(G.Nodes{cost}, grads...)...)
				if _, err := Plan(g); err != nil {
					b.Fatal(err)
				}
			}
			vm := G.NewTapeMachine(g, G.BindDualValues(params...))
			defer vm.Close()
			step := func() {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				vm.Reset()
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				step()
			}
		})
	}
}

// BenchmarkCNNPGDStep times one PGD step on the CNN: forward, backward to the input only (no
// weight gradients), ours (pruned and planned) vs stock.
func BenchmarkCNNPGDStep(b *testing.B) {
	const n = 128
	r := rand.New(rand.NewPCG(17, 18))
	x := rand32(r, 0, 1, n, 1, 28, 28)
	yv := make([]float32, n*10)
	for i := 0; i < n; i++ {
		yv[i*10+r.IntN(10)] = 1
	}
	y := tensor.New(tensor.WithShape(n, 10), tensor.WithBacking(yv))
	ws := []*tensor.Dense{rand32(r, -0.3, 0.3, 32, 1, 3, 3), rand32(r, -0.06, 0.06, 64, 32, 3, 3),
		rand32(r, -0.02, 0.02, 64*7*7, 128), rand32(r, -0.1, 0.1, 128, 10)}
	for _, ours := range []bool{true, false} {
		b.Run(map[bool]string{true: "ours", false: "stock"}[ours], func(b *testing.B) {
			g := G.NewGraph()
			xn := G.NodeFromAny(g, x.Clone().(*tensor.Dense), G.WithName("x"))
			yn := G.NodeFromAny(g, y, G.WithName("y"))
			var p G.Nodes
			for i, w := range ws {
				p = append(p, G.NodeFromAny(g, w, G.WithName(fmt.Sprintf("w%d", i))))
			}
			var h, cost *G.Node
			if ours {
				h = G.Must(MaxPool2x2(G.Must(Relu(G.Must(Conv2D(xn, p[0], 1, 1))))))
				h = G.Must(MaxPool2x2(G.Must(Relu(G.Must(Conv2D(h, p[1], 1, 1))))))
				h = G.Must(G.Reshape(h, tensor.Shape{n, 64 * 7 * 7}))
				h = G.Must(Relu(G.Must(G.Mul(h, p[2]))))
				cost = G.Must(SoftmaxCrossEntropy(G.Must(G.Mul(h, p[3])), yn))
			} else {
				conv := func(x, w *G.Node) *G.Node {
					return G.Must(G.Conv2d(x, w, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
				}
				pool := func(x *G.Node) *G.Node {
					return G.Must(G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
				}
				h = pool(G.Must(G.Rectify(conv(xn, p[0]))))
				h = pool(G.Must(G.Rectify(conv(h, p[1]))))
				h = G.Must(G.Reshape(h, tensor.Shape{n, 64 * 7 * 7}))
				h = G.Must(G.Rectify(G.Must(G.Mul(h, p[2]))))
				lsm := G.Must(G.LogSoftMax(G.Must(G.Mul(h, p[3]))))
				cost = G.Must(G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(lsm, yn)), 1))))))
			}
			gx, err := G.Grad(cost, xn)
			if err != nil {
				b.Fatal(err)
			}
			if ours {
				g = g.SubgraphRoots(cost, gx[0])
				if _, err := Plan(g); err != nil {
					b.Fatal(err)
				}
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			xs := xn.Value().Data().([]float32)
			step := func() {
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
				gd := gx[0].Value().Data().([]float32)
				for i, v := range gd { // x ← clip(x + α·sign(g), 0, 1)
					if v > 0 {
						xs[i] = min(xs[i]+0.01, 1)
					} else if v < 0 {
						xs[i] = max(xs[i]-0.01, 0)
					}
				}
				vm.Reset()
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				step()
			}
		})
	}
}
