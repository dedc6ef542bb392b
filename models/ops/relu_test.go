package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestRelu(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(61, 62))
	x := randDense(r, -1, 1, 3, 4, 5)
	xd := x.Data().([]float64)
	xd[0], xd[1] = math.NaN(), 0
	want := make([]float64, len(xd))
	for i, v := range xd {
		want[i] = math.Max(v, 0)
	}
	want[0] = math.NaN()
	build := func(in G.Nodes) (*G.Node, error) { return Relu(in[0]) }
	got := forward(t, build, x)
	if !math.IsNaN(got[0]) || maxAbsDiff(got[1:], want[1:]) != 0 {
		t.Errorf("Relu = %v, want %v", got[:4], want[:4])
	}
	for _, s := range []tensor.Shape{{7}, {2, 3, 4, 5}, {4, 8, 1100}} {
		gc := gradCase{name: fmt.Sprint(s), shapes: []tensor.Shape{s}, build: build}
		t.Logf("%v: max FD error %.2g", s, checkGrads(t, gc))
		checkLisp(t, gc)
		checkF32(t, gc, 1e-6)
	}
}

// The branch-free kernels against the definitions, element by element, over special values in
// float32 and float64: relu(x) is 0 for x ≤ 0 (+0, also for −0), NaN for NaN and x otherwise;
// reluGrad gives dy where y > 0 (+Inf included) and +0 elsewhere (y ≤ 0 or NaN, whatever dy is).
func TestReluKernelsSpecialValues(t *testing.T) {
	t.Parallel()
	negNaN := math.Float64frombits(math.Float64bits(math.NaN()) | 1<<63)
	specials := []float64{math.Inf(-1), -1, -1e-40, math.Copysign(0, -1), 0, 1e-40, 1e-310, 1, math.MaxFloat32, math.Inf(1), math.NaN(), negNaN}
	var ys, dys []float64
	for _, y := range specials {
		for _, dy := range specials {
			ys, dys = append(ys, y), append(dys, dy)
		}
	}
	check := func(name string, got, x float64, want float64) {
		t.Helper()
		if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("%s(%v) = %v, want %v", name, x, got, want)
		}
	}
	y64, dx64 := make([]float64, len(ys)), make([]float64, len(ys))
	relu(ys, y64)
	reluGrad(ys, dys, dx64)
	y32s, dy32s := make([]float32, len(ys)), make([]float32, len(ys))
	for i := range ys {
		y32s[i], dy32s[i] = float32(ys[i]), float32(dys[i])
	}
	y32, dx32 := make([]float32, len(ys)), make([]float32, len(ys))
	relu(y32s, y32)
	reluGrad(y32s, dy32s, dx32)
	for i, x := range ys {
		want := x
		if x <= 0 {
			want = 0
		}
		check("relu64", y64[i], x, want)
		x32 := float64(y32s[i])
		want32 := x32
		if x32 <= 0 {
			want32 = 0
		}
		check("relu32", float64(y32[i]), x32, want32)
		wantDx := 0.0
		if x > 0 {
			wantDx = dys[i]
		}
		check("reluGrad64", dx64[i], x, wantDx)
		wantDx32 := 0.0
		if x32 > 0 {
			wantDx32 = float64(dy32s[i])
		}
		check("reluGrad32", float64(dx32[i]), x32, wantDx32)
	}
}
