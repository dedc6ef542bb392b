package ops

import (
	"math/rand/v2"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// UsePreallocDo writes into the machine's buffer when it fits and shares no memory with the
// inputs, and into the op's own buffer otherwise; results are the same either way.
func TestUsePreallocDo(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(71, 72))
	g := G.NewGraph()
	x := randDense(r, -1, 1, 2, 3, 4, 4)
	w := randDense(r, -1, 1, 3, 3, 1, 1) // 1×1 conv: y has x's shape
	y := G.Must(Conv2D(G.NodeFromAny(g, x, G.WithName("x")), G.NodeFromAny(g, w, G.WithName("w")), 0, 1))
	op := y.Op().(*conv2dOp)
	want, err := op.Do(x, w)
	if err != nil {
		t.Fatal(err)
	}
	wantData := append([]float64(nil), want.Data().([]float64)...)
	own := want.(*tensor.Dense)

	fresh := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 3, 4, 4))
	xCopy := x.Clone().(*tensor.Dense)
	for _, tc := range []struct {
		name     string
		prealloc G.Value
		in       []G.Value
		want     *tensor.Dense // the tensor that must be returned
	}{
		{"fitting buffer is used", fresh, []G.Value{x, w}, fresh},
		{"buffer aliasing an input is not", xCopy, []G.Value{xCopy, w}, own},
		{"wrong shape is not", tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 3, 4, 5)), []G.Value{x, w}, own},
		{"wrong dtype is not", tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 3, 4, 4)), []G.Value{x, w}, own},
	} {
		got, err := op.UsePreallocDo(tc.prealloc, tc.in...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: returned %p, want %p", tc.name, got, tc.want)
		}
		if d := maxAbsDiff(got.Data().([]float64), wantData); d != 0 {
			t.Errorf("%s: result differs by %g", tc.name, d)
		}
	}
}

func TestParallelHelpers(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 1000, 100000} {
		seen := make([]int32, n)
		parallelFor(n, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		workers := runtime.GOMAXPROCS(0) + 1
		parallelTasks(n, workers, func(w, i int) {
			if w < 0 || w >= workers {
				t.Errorf("worker %d of %d", w, workers)
			}
			seen[i]++
		})
		for i, s := range seen {
			if s != 2 {
				t.Fatalf("n=%d: index %d visited %d times, want 2", n, i, s)
			}
		}
	}
	v := make([]float32, 37)
	fill(v, 2.5)
	for i, x := range v {
		if x != 2.5 {
			t.Fatalf("fill: v[%d] = %v", i, x)
		}
	}
	for _, tc := range []struct{ size, out, pad, stride, k, lo, hi int }{
		{5, 5, 1, 1, 0, 1, 5}, // first output reads index −1
		{5, 5, 1, 1, 2, 0, 4}, // last output reads index 5
		{7, 4, 1, 2, 0, 1, 4},
		{3, 3, 1, 1, 4, 0, 0}, // kernel tap entirely in the padding: empty
	} {
		lo, hi := validRange(tc.size, tc.out, tc.pad, tc.stride, tc.k)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("validRange(%+v) = [%d, %d)", tc, lo, hi)
		}
	}
}
