package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Benchmarks time one forward + backward pass (TapeMachine RunAll, then Reset) of a graph whose
// cost is Σ y, in float32, for our op and for the stock Gorgonia equivalent side by side:
//
//	go test -run '^$' -bench . -benchmem ./models/ops                  # gonum BLAS
//	go test -tags openblas -run '^$' -bench . -benchmem ./models/ops   # OpenBLAS (call blas.Init)
//
// B/op counts every allocation of the step, including the stock Sum/broadcast ops of the cost.

func rand32(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// benchGraph builds y = build(inputs), cost = Σ y, the gradients of every input, and times steps.
func benchGraph(b *testing.B, build func(g *G.ExprGraph, in G.Nodes) (*G.Node, error), inputs ...*tensor.Dense) {
	b.Helper()
	g := G.NewGraph()
	var in G.Nodes
	for i, v := range inputs {
		in = append(in, G.NodeFromAny(g, v, G.WithName(fmt.Sprintf("in%d", i))))
	}
	y, err := build(g, in)
	if err != nil {
		b.Fatal(err)
	}
	cost := y
	if !y.IsScalar() {
		cost = G.Must(G.Sum(y))
	}
	if _, err := G.Grad(cost, in...); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	step := func() {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
	step() // warm-up: first-step allocations are not what a training loop pays
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
}

func BenchmarkConv2D(b *testing.B) {
	for _, s := range []struct {
		name                   string
		n, c, h, o, k, pad, st int
	}{
		{"cnn1_128x1x28x28_o32", 128, 1, 28, 32, 3, 1, 1},
		{"cnn2_128x32x14x14_o64", 128, 32, 14, 64, 3, 1, 1},
	} {
		r := rand.New(rand.NewPCG(1, 2))
		x := rand32(r, 0, 1, s.n, s.c, s.h, s.h)
		w := rand32(r, -0.1, 0.1, s.o, s.c, s.k, s.k)
		b.Run(s.name+"/ours", func(b *testing.B) {
			benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return Conv2D(in[0], in[1], s.pad, s.st) }, x, w)
		})
		b.Run(s.name+"/stock", func(b *testing.B) {
			benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
				return G.Conv2d(in[0], in[1], tensor.Shape{s.k, s.k}, []int{s.pad, s.pad}, []int{s.st, s.st}, []int{1, 1})
			}, x, w)
		})
	}
}

func BenchmarkMaxPool2x2(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	x := rand32(r, -1, 1, 128, 32, 28, 28)
	b.Run("128x32x28x28/ours", func(b *testing.B) {
		benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return MaxPool2x2(in[0]) }, x)
	})
	b.Run("128x32x28x28/stock", func(b *testing.B) {
		benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			return G.MaxPool2D(in[0], tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
		}, x)
	})
}

func BenchmarkSoftmaxCrossEntropy(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	z := rand32(r, -3, 3, 128, 10)
	yv := make([]float32, 128*10)
	for i := 0; i < 128; i++ {
		yv[i*10+r.IntN(10)] = 1
	}
	y := tensor.New(tensor.WithShape(128, 10), tensor.WithBacking(yv))
	grad := func(b *testing.B, build func(z, y *G.Node) (*G.Node, error)) {
		g := G.NewGraph()
		zn := G.NodeFromAny(g, z, G.WithName("z"))
		yn := G.NodeFromAny(g, y, G.WithName("y"))
		cost, err := build(zn, yn)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := G.Grad(cost, zn); err != nil {
			b.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := vm.RunAll(); err != nil {
				b.Fatal(err)
			}
			vm.Reset()
		}
	}
	b.Run("128x10/ours", func(b *testing.B) { grad(b, SoftmaxCrossEntropy) })
	b.Run("128x10/stock", func(b *testing.B) {
		grad(b, func(z, y *G.Node) (*G.Node, error) {
			lsm := G.Must(G.LogSoftMax(z))
			return G.Neg(G.Must(G.Mean(G.Must(G.Sum(G.Must(G.HadamardProd(lsm, y)), 1)))))
		})
	})
}

func BenchmarkCausalConv1D(b *testing.B) {
	const n, c, t, d = 16, 32, 8000, 4
	r := rand.New(rand.NewPCG(7, 8))
	x := rand32(r, -1, 1, n, c, t)
	w := rand32(r, -0.2, 0.2, c, c, 2)
	b.Run("16x32x8000_d4/ours", func(b *testing.B) {
		benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return CausalConv1D(in[0], in[1], d) }, x, w)
	})
	// Stock: Conv2d on N×C×1×T with a 1×2 kernel, dilation d, padding (0, d), then a slice.
	x4 := x.Clone().(*tensor.Dense)
	if err := x4.Reshape(n, c, 1, t); err != nil {
		b.Fatal(err)
	}
	w4 := w.Clone().(*tensor.Dense)
	if err := w4.Reshape(c, c, 1, 2); err != nil {
		b.Fatal(err)
	}
	b.Run("16x32x8000_d4/stock", func(b *testing.B) {
		benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			y, err := G.Conv2d(in[0], in[1], tensor.Shape{1, 2}, []int{0, d}, []int{1, 1}, []int{1, d})
			if err != nil {
				return nil, err
			}
			return G.Slice(y, nil, nil, nil, G.S(0, t))
		}, x4, w4)
	})
}

func BenchmarkGated(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	a := rand32(r, -3, 3, 16, 32, 8000)
	c := rand32(r, -3, 3, 16, 32, 8000)
	b.Run("16x32x8000/ours", func(b *testing.B) {
		benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return Gated(in[0], in[1]) }, a, c)
	})
	b.Run("16x32x8000/stock", func(b *testing.B) {
		benchGraph(b, func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			return G.HadamardProd(G.Must(G.Tanh(in[0])), G.Must(G.Sigmoid(in[1])))
		}, a, c)
	})
}
