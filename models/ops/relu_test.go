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
