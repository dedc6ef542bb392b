package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveCausalConv1D is the definition in CausalConv1D's doc comment, looped.
func naiveCausalConv1D(x, w, b []float64, n, c, t, o, k, d int) []float64 {
	y := make([]float64, n*o*t)
	for in := 0; in < n; in++ {
		for io := 0; io < o; io++ {
			for tt := 0; tt < t; tt++ {
				var s float64
				if b != nil {
					s = b[io]
				}
				for ik := 0; ik < k; ik++ {
					src := tt - (k-1-ik)*d
					if src < 0 {
						continue
					}
					for ic := 0; ic < c; ic++ {
						s += w[(io*c+ic)*k+ik] * x[(in*c+ic)*t+src]
					}
				}
				y[(in*o+io)*t+tt] = s
			}
		}
	}
	return y
}

var conv1dCases = []struct {
	name          string
	n, c, t, o, k int
	d             int
	bias          bool
}{
	{"d1 batch1", 1, 2, 9, 3, 2, 1, false},
	{"d2 batch3", 3, 2, 11, 2, 2, 2, true},
	{"d4 K3", 2, 3, 13, 2, 3, 4, false},
	{"T shorter than dilation", 2, 2, 3, 2, 2, 4, true},
	{"T shorter than 2nd tap only", 2, 2, 5, 2, 3, 4, false},
	{"1x1 (K=1)", 2, 3, 7, 4, 1, 1, true},
	// 32×32 weights make 256-column GEMM chunks: 3 chunks per sample, shifts crossing them.
	{"chunked T=600 d=64 K=3", 2, 32, 600, 32, 3, 64, true},
	{"chunked T=300 d=128", 1, 32, 300, 16, 2, 128, false},
}

func TestCausalConv1DForward(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(21, 22))
	for _, tc := range conv1dCases {
		t.Run(tc.name, func(t *testing.T) {
			x := randDense(r, -1, 1, tc.n, tc.c, tc.t)
			w := randDense(r, -1, 1, tc.o, tc.c, tc.k)
			b := randDense(r, -1, 1, tc.o)
			vals := []*tensor.Dense{x, w}
			build := func(in G.Nodes) (*G.Node, error) { return CausalConv1D(in[0], in[1], tc.d) }
			var bd []float64
			if tc.bias {
				vals, bd = append(vals, b), b.Data().([]float64)
				build = func(in G.Nodes) (*G.Node, error) { return CausalConv1DBias(in[0], in[1], in[2], tc.d) }
			}
			want := naiveCausalConv1D(x.Data().([]float64), w.Data().([]float64), bd, tc.n, tc.c, tc.t, tc.o, tc.k, tc.d)
			if d := maxAbsDiff(forward(t, build, vals...), want); d > 1e-12 {
				t.Errorf("float64: max |y − naive| = %g", d)
			}
			var v32 []*tensor.Dense
			for _, v := range vals {
				v32 = append(v32, f32(v))
			}
			if d := maxAbsDiff(forward(t, build, v32...), want); d > 1e-5 {
				t.Errorf("float32: max |y − naive| = %g", d)
			}
		})
	}
}

func TestCausalConv1DGrad(t *testing.T) {
	t.Parallel()
	for _, tc := range conv1dCases {
		t.Run(tc.name, func(t *testing.T) {
			shapes := []tensor.Shape{{tc.n, tc.c, tc.t}, {tc.o, tc.c, tc.k}}
			build := func(in G.Nodes) (*G.Node, error) { return CausalConv1D(in[0], in[1], tc.d) }
			if tc.bias {
				shapes = append(shapes, tensor.Shape{tc.o})
				build = func(in G.Nodes) (*G.Node, error) { return CausalConv1DBias(in[0], in[1], in[2], tc.d) }
			}
			gc := gradCase{name: tc.name, shapes: shapes, build: build}
			t.Logf("max FD error %.2g", checkGrads(t, gc))
			checkLisp(t, gc)
			checkF32(t, gc, 1e-4)
		})
	}
}

// A stack of dilations 1, 2, 4 with the gated unit, residual and skip, as in WaveNet, checked end
// to end by finite differences.
func TestWaveNetBlockGrad(t *testing.T) {
	t.Parallel()
	const n, c, tt = 2, 3, 16
	shapes := []tensor.Shape{{n, c, tt}}
	for range 3 {
		shapes = append(shapes, tensor.Shape{c, c, 2}, tensor.Shape{c, c, 2}, tensor.Shape{c}, tensor.Shape{c, c, 1})
	}
	gc := gradCase{name: "wavenet block", shapes: shapes, build: func(in G.Nodes) (*G.Node, error) {
		h := in[0]
		var skip *G.Node
		for i, d := range []int{1, 2, 4} {
			wf, wg, bg, w1 := in[1+4*i], in[2+4*i], in[3+4*i], in[4+4*i]
			a, err := CausalConv1D(h, wf, d)
			if err != nil {
				return nil, err
			}
			b, err := CausalConv1DBias(h, wg, bg, d)
			if err != nil {
				return nil, err
			}
			z, err := Gated(a, b)
			if err != nil {
				return nil, err
			}
			s, err := CausalConv1D(z, w1, 1)
			if err != nil {
				return nil, err
			}
			if skip == nil {
				skip = s
			} else {
				skip = G.Must(G.Add(skip, s))
			}
			h = G.Must(G.Add(h, s))
		}
		return G.Add(skip, h)
	}}
	t.Logf("max FD error %.2g", checkGrads(t, gc))
}

// CausalConv1DBiasAdd is base + CausalConv1DBias: its value, every input's gradient (base's is
// dy) by finite differences in float64, the LispMachine path and float32.
func TestCausalConv1DBiasAdd(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(23, 24))
	for _, tc := range conv1dCases {
		t.Run(tc.name, func(t *testing.T) {
			build := func(in G.Nodes) (*G.Node, error) { return CausalConv1DBiasAdd(in[0], in[1], in[2], in[3], tc.d) }
			x := randDense(r, -1, 1, tc.n, tc.c, tc.t)
			w := randDense(r, -1, 1, tc.o, tc.c, tc.k)
			b := randDense(r, -1, 1, tc.o)
			base := randDense(r, -1, 1, tc.n, tc.o, tc.t)
			want := naiveCausalConv1D(x.Data().([]float64), w.Data().([]float64), b.Data().([]float64), tc.n, tc.c, tc.t, tc.o, tc.k, tc.d)
			for i, v := range base.Data().([]float64) {
				want[i] += v
			}
			if d := maxAbsDiff(forward(t, build, x, w, b, base), want); d > 1e-12 {
				t.Errorf("float64: max |y − (base + naive)| = %g", d)
			}
			if d := maxAbsDiff(forward(t, build, f32(x), f32(w), f32(b), f32(base)), want); d > 1e-5 {
				t.Errorf("float32: max |y − (base + naive)| = %g", d)
			}
			gc := gradCase{name: tc.name, shapes: []tensor.Shape{{tc.n, tc.c, tc.t}, {tc.o, tc.c, tc.k}, {tc.o}, {tc.n, tc.o, tc.t}}, build: build}
			t.Logf("max FD error %.2g", checkGrads(t, gc))
			checkLisp(t, gc)
			checkF32(t, gc, 1e-4)
		})
	}
	t.Run("refusals", func(t *testing.T) {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 5), G.WithName("x"))
		w := G.NewTensor(g, tensor.Float64, 3, G.WithShape(4, 3, 2), G.WithName("w"))
		b := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("b"))
		wrong := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 5), G.WithName("wrong"))
		if _, err := CausalConv1DBiasAdd(x, w, b, wrong, 1); err == nil {
			t.Error("a base of the input's shape (3 channels, output has 4) was accepted")
		}
		if _, err := CausalConv1DBiasAdd(x, w, nil, wrong, 1); err == nil {
			t.Error("a missing bias was accepted")
		}
	})
}
