package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func naiveMaxPool(x []float64, n, c, h, w int) []float64 {
	oh, ow := h/2, w/2
	y := make([]float64, n*c*oh*ow)
	for p := 0; p < n*c; p++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				m := math.Inf(-1)
				for a := 0; a < 2; a++ {
					for b := 0; b < 2; b++ {
						m = math.Max(m, x[p*h*w+(2*i+a)*w+2*j+b])
					}
				}
				y[(p*oh+i)*ow+j] = m
			}
		}
	}
	return y
}

var poolCases = []struct {
	name       string
	n, c, h, w int
}{
	{"batch1 even", 1, 1, 4, 4},
	{"batch2 odd 5x7", 2, 3, 5, 7},
	{"2x3 minimum", 3, 2, 2, 3},
	{"large enough to run in parallel", 4, 8, 33, 32},
}

func TestMaxPool2x2Forward(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range poolCases {
		x := randDense(r, -1, 1, tc.n, tc.c, tc.h, tc.w)
		want := naiveMaxPool(x.Data().([]float64), tc.n, tc.c, tc.h, tc.w)
		if d := maxAbsDiff(forward(t, func(in G.Nodes) (*G.Node, error) { return MaxPool2x2(in[0]) }, x), want); d != 0 {
			t.Errorf("%s float64: max |y − naive| = %g", tc.name, d)
		}
		if d := maxAbsDiff(forward(t, func(in G.Nodes) (*G.Node, error) { return MaxPool2x2(in[0]) }, f32(x)), want); d > 1e-7 {
			t.Errorf("%s float32: max |y − naive| = %g", tc.name, d)
		}
	}
}

func TestMaxPool2x2Grad(t *testing.T) {
	t.Parallel()
	for _, tc := range poolCases {
		gc := gradCase{name: tc.name, shapes: []tensor.Shape{{tc.n, tc.c, tc.h, tc.w}},
			build: func(in G.Nodes) (*G.Node, error) { return MaxPool2x2(in[0]) }}
		t.Logf("%s: max FD error %.2g", tc.name, checkGrads(t, gc))
		checkLisp(t, gc)
		checkF32(t, gc, 1e-4)
	}
}

// Ties go to the first position and a NaN in a window wins, as in PyTorch.
func TestMaxPool2x2TiesAndNaN(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	x := tensor.New(tensor.WithShape(1, 1, 2, 4), tensor.WithBacking([]float64{1, 1, 0, nan, 1, 1, 2, 3}))
	g := G.NewGraph()
	xn := G.NodeFromAny(g, x, G.WithName("x"))
	y := G.Must(MaxPool2x2(xn))
	cost := G.Must(G.Sum(y))
	if _, err := G.Grad(cost, xn); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(xn))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	yv := y.Value().Data().([]float64)
	if yv[0] != 1 || !math.IsNaN(yv[1]) {
		t.Errorf("y = %v, want [1 NaN]", yv)
	}
	gv, _ := xn.Grad()
	want := []float64{1, 0, 0, 1, 0, 0, 0, 0}
	if d := maxAbsDiff(gv.Data().([]float64), want); d != 0 {
		t.Errorf("dx = %v, want %v", gv.Data(), want)
	}
}
