package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveConv2D is the definition in Conv2D's doc comment, looped.
func naiveConv2D(x, w, b []float64, n, c, h, wd, o, kh, kw, pad, stride int) []float64 {
	oh, ow := (h+2*pad-kh)/stride+1, (wd+2*pad-kw)/stride+1
	y := make([]float64, n*o*oh*ow)
	for in := 0; in < n; in++ {
		for io := 0; io < o; io++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					var s float64
					if b != nil {
						s = b[io]
					}
					for ic := 0; ic < c; ic++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								r, q := i*stride-pad+ki, j*stride-pad+kj
								if r < 0 || r >= h || q < 0 || q >= wd {
									continue
								}
								s += w[((io*c+ic)*kh+ki)*kw+kj] * x[((in*c+ic)*h+r)*wd+q]
							}
						}
					}
					y[((in*o+io)*oh+i)*ow+j] = s
				}
			}
		}
	}
	return y
}

var conv2dCases = []struct {
	name                            string
	n, c, h, w, o, kh, kw, pad, str int
	bias                            bool
}{
	{"batch1 3x3 pad1", 1, 2, 5, 5, 3, 3, 3, 1, 1, false},
	{"batch3 odd 7x5 pad0", 3, 2, 7, 5, 2, 3, 3, 0, 1, false},
	{"stride2 odd pad1", 2, 3, 7, 7, 2, 3, 3, 1, 2, true},
	{"1x1 kernel", 2, 3, 4, 3, 4, 1, 1, 0, 1, true},
	{"rect kernel 2x3 pad2 stride3", 2, 1, 6, 5, 2, 2, 3, 2, 3, false},
	{"kernel as big as padded image", 2, 2, 3, 3, 2, 5, 5, 1, 1, true},
	{"large enough to run in parallel", 4, 8, 16, 15, 8, 3, 3, 1, 1, true},
}

// allConvCases are the per-sample geometries of conv2dCases and the batched ones of
// batchedConvCases (conv2d_kernels_test.go), so that the graph tests cover both paths.
func allConvCases() []struct {
	name                            string
	n, c, h, w, o, kh, kw, pad, str int
	bias                            bool
} {
	return append(append(conv2dCases[:0:0], conv2dCases...), batchedConvCases...)
}

func TestConv2DForward(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range allConvCases() {
		t.Run(tc.name, func(t *testing.T) {
			x := randDense(r, -1, 1, tc.n, tc.c, tc.h, tc.w)
			w := randDense(r, -1, 1, tc.o, tc.c, tc.kh, tc.kw)
			b := randDense(r, -1, 1, tc.o)
			var bd []float64
			build := func(in G.Nodes) (*G.Node, error) { return Conv2D(in[0], in[1], tc.pad, tc.str) }
			vals := []*tensor.Dense{x, w}
			if tc.bias {
				bd = b.Data().([]float64)
				build = func(in G.Nodes) (*G.Node, error) { return Conv2DBias(in[0], in[1], in[2], tc.pad, tc.str) }
				vals = append(vals, b)
			}
			want := naiveConv2D(x.Data().([]float64), w.Data().([]float64), bd, tc.n, tc.c, tc.h, tc.w, tc.o, tc.kh, tc.kw, tc.pad, tc.str)
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

func TestConv2DGrad(t *testing.T) {
	t.Parallel()
	for _, tc := range allConvCases() {
		t.Run(tc.name, func(t *testing.T) {
			shapes := []tensor.Shape{{tc.n, tc.c, tc.h, tc.w}, {tc.o, tc.c, tc.kh, tc.kw}}
			build := func(in G.Nodes) (*G.Node, error) { return Conv2D(in[0], in[1], tc.pad, tc.str) }
			if tc.bias {
				shapes = append(shapes, tensor.Shape{tc.o})
				build = func(in G.Nodes) (*G.Node, error) { return Conv2DBias(in[0], in[1], in[2], tc.pad, tc.str) }
			}
			gc := gradCase{name: tc.name, shapes: shapes, build: build}
			t.Logf("max FD error %.2g", checkGrads(t, gc))
			checkLisp(t, gc)
			checkF32(t, gc, 1e-4)
		})
	}
}

func TestConv2DErrors(t *testing.T) {
	t.Parallel()
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 2, 3, 3), G.WithName("x"))
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 3, 3, 3), G.WithName("w"))
	w2 := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 2, 5, 5), G.WithName("w2"))
	for _, tc := range []struct {
		name string
		f    func() (*G.Node, error)
	}{
		{"channel mismatch", func() (*G.Node, error) { return Conv2D(x, w, 0, 1) }},
		{"kernel too big", func() (*G.Node, error) { return Conv2D(x, w2, 0, 1) }},
		{"zero stride", func() (*G.Node, error) { return Conv2D(x, w2, 1, 0) }},
	} {
		if _, err := tc.f(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
