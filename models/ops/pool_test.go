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

// refWindowArgmax is the rule of MaxPool2x2's doc comment, as a compare chain over the window
// a, b, c, d (row-major): a later value wins only if it is greater, or if it is NaN and the
// current maximum is not.
func refWindowArgmax(v [4]float64) int {
	at, m := 0, v[0]
	for k := 1; k < 4; k++ {
		if v[k] > m || (v[k] != v[k] && m == m) {
			at, m = k, v[k]
		}
	}
	return at
}

// Every window over {−Inf, −1, −0, +0, 1, +Inf, NaN, −NaN} (8⁴ = 4096 windows, in one 185×91
// plane: odd sizes, a width that is not a power of 2): the float32 and float64 kernels must pick
// the position the compare chain picks and return the bits stored there.
func TestMaxPool2x2AllWindows(t *testing.T) {
	t.Parallel()
	negNaN := math.Float64frombits(math.Float64bits(math.NaN()) | 1<<63)
	vals := []float64{math.Inf(-1), -1, math.Copysign(0, -1), 0, 1, math.Inf(1), math.NaN(), negNaN}
	const h, w, ow = 185, 91, 45 // 92 × 45 = 4140 windows
	p := poolGeom{n: 1, c: 1, h: h, w: w}
	x64 := make([]float64, h*w)
	want := make([]int, 0, 4096)
	for idx := 0; idx < 4096; idx++ {
		var v [4]float64
		for k := range v {
			v[k] = vals[(idx>>(3*k))&7]
		}
		i, j := idx/ow, idx%ow
		base := 2*i*w + 2*j
		x64[base], x64[base+1], x64[base+w], x64[base+w+1] = v[0], v[1], v[2], v[3]
		want = append(want, base+[]int{0, 1, w, w + 1}[refWindowArgmax(v)])
	}
	x32 := make([]float32, len(x64))
	for i, v := range x64 {
		x32[i] = float32(v)
	}
	y64, y32 := make([]float64, 92*ow), make([]float32, 92*ow)
	a64, a32 := make([]int32, 92*ow), make([]int32, 92*ow)
	maxPoolForward(p, x64, y64, a64)
	maxPoolForward(p, x32, y32, a32)
	for idx, at := range want {
		if int(a64[idx]) != at || int(a32[idx]) != at {
			t.Fatalf("window %d: argmax float64 %d, float32 %d, want %d", idx, a64[idx], a32[idx], at)
		}
		if math.Float64bits(y64[idx]) != math.Float64bits(x64[at]) || math.Float32bits(y32[idx]) != math.Float32bits(x32[at]) {
			t.Fatalf("window %d: y = %v / %v, want the value at %d", idx, y64[idx], y32[idx], at)
		}
	}
}
