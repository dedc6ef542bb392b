package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// naiveConv2DGrads is the adjoint of naiveConv2D, looped: dx[n,c,r,q] and dw[o,c,ki,kj] collect
// dy[n,o,i,j]·w and dy[n,o,i,j]·x over every (i, j) whose window covers them; db[o] = Σ dy.
func naiveConv2DGrads(x, w, dy []float64, n, c, h, wd, o, kh, kw, pad, stride int) (dx, dw, db []float64) {
	oh, ow := (h+2*pad-kh)/stride+1, (wd+2*pad-kw)/stride+1
	dx, dw, db = make([]float64, n*c*h*wd), make([]float64, o*c*kh*kw), make([]float64, o)
	for in := 0; in < n; in++ {
		for io := 0; io < o; io++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					g := dy[((in*o+io)*oh+i)*ow+j]
					db[io] += g
					for ic := 0; ic < c; ic++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								r, q := i*stride-pad+ki, j*stride-pad+kj
								if r < 0 || r >= h || q < 0 || q >= wd {
									continue
								}
								wi, xi := ((io*c+ic)*kh+ki)*kw+kj, ((in*c+ic)*h+r)*wd+q
								dx[xi] += g * w[wi]
								dw[wi] += g * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return dx, dw, db
}

// batchedConvCases exceed gemmSerialMNK per sample, so newConvGeom picks the batched GEMM.
var batchedConvCases = []struct {
	name                            string
	n, c, h, w, o, kh, kw, pad, str int
	bias                            bool
}{
	{"batched same 3x3 (spans)", 3, 16, 12, 12, 32, 3, 3, 1, 1, true},
	{"batched batch1 no bias", 1, 16, 12, 12, 32, 3, 3, 1, 1, false},
	{"batched batch1 bias", 1, 16, 12, 12, 32, 3, 3, 1, 1, true},
	{"batched pad0 odd 11x13", 2, 16, 11, 13, 40, 3, 3, 0, 1, false},
	{"batched stride2 pad1 odd", 2, 32, 21, 19, 16, 3, 3, 1, 2, true},
	{"batched 5x5 pad2 (spans)", 2, 8, 10, 9, 32, 5, 5, 2, 1, true},
}

// TestConv2DKernelsBothPaths runs every geometry of conv2dCases and batchedConvCases through the
// per-sample kernels and the batched ones with groups of 1, 2 and all samples (forcing
// perSample and group), in float64 against the naive loops (1e-12) and in float32 (1e-4), for
// two steps with different inputs so that the kept column matrix and dy layout are rebuilt,
// plus a dW on an input the forward never saw.
func TestConv2DKernelsBothPaths(t *testing.T) {
	t.Parallel()
	for _, tc := range allConvCases() {
		for _, group := range []int{0, 1, 2, tc.n} { // 0: per sample
			if group == 2 && tc.n <= 2 {
				continue
			}
			t.Run(fmt.Sprintf("%s/group=%d", tc.name, group), func(t *testing.T) {
				g := newConvGeom(tc.n, tc.c, tc.h, tc.w, tc.o, tc.kh, tc.kw, tc.pad, tc.str)
				g.perSample, g.group, g.withBias = group == 0, max(group, 1), tc.bias
				r := rand.New(rand.NewPCG(31, 32))
				checkConvKernels[float64](t, g, r, 1e-12)
				checkConvKernels[float32](t, g, r, 1e-4)
			})
		}
	}
}

func checkConvKernels[T float](t *testing.T, g convGeom, r *rand.Rand, tol float64) {
	t.Helper()
	var z T
	dt := tensor.Float64
	if _, ok := any(z).(float32); ok {
		dt = tensor.Float32
	}
	mk := func(v []float64, shape ...int) *tensor.Dense {
		d := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		for i, f := range v {
			data[T](d)[i] = T(f)
		}
		return d
	}
	back := func(d *tensor.Dense) []float64 {
		v := make([]float64, d.Shape().TotalSize())
		for i, f := range data[T](d) {
			v[i] = float64(f)
		}
		return v
	}
	// Inputs rounded to T, so that float32 is compared with the float64 result of its own inputs.
	round := func(v []float64) []float64 {
		for i := range v {
			v[i] = float64(T(v[i]))
		}
		return v
	}
	st := &conv2dState{}
	y := tensor.New(tensor.Of(dt), tensor.WithShape(g.N, g.O, g.OH, g.OW))
	dx := tensor.New(tensor.Of(dt), tensor.WithShape(g.N, g.C, g.H, g.W))
	dw := tensor.New(tensor.Of(dt), tensor.WithShape(g.O, g.C, g.KH, g.KW))
	wv := round(randSlice(r, g.O*g.rows, -1, 1))
	bv := round(randSlice(r, g.O, -1, 1))
	w, b := mk(wv, g.O, g.C, g.KH, g.KW), mk(bv, g.O)
	if !g.withBias {
		b, bv = nil, nil
	}
	var keep []*tensor.Dense // the op's caches key on addresses: no step may reuse one
	for step := 0; step < 3; step++ {
		xv := round(randSlice(r, g.xSize, -1, 1))
		dyv := round(randSlice(r, g.ySize, -1, 1))
		x, dy := mk(xv, g.N, g.C, g.H, g.W), mk(dyv, g.N, g.O, g.OH, g.OW)
		keep = append(keep, x, dy)
		wantDx, wantDw, _ := naiveConv2DGrads(xv, wv, dyv, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.Pad, g.Stride)
		if step < 2 {
			conv2dForward[T](g, st, x, w, b, y)
			want := naiveConv2D(xv, wv, bv, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.Pad, g.Stride)
			if d := maxAbsDiff(back(y), want); d > tol {
				t.Fatalf("step %d: forward: max |y − naive| = %g", step, d)
			}
		} // step 2: dW from an x the forward never saw (the column matrix must be rebuilt)
		conv2dBackwardX[T](g, st, w, dy, dx)
		conv2dBackwardW[T](g, st, x, dy, dw)
		if d := maxAbsDiff(back(dx), wantDx); d > tol {
			t.Fatalf("step %d: dx: max |dx − naive| = %g", step, d)
		}
		if d := maxAbsDiff(back(dw), wantDw); d > tol*float64(g.N*g.outPlane) {
			t.Fatalf("step %d: dW: max |dW − naive| = %g", step, d)
		}
	}
	_ = keep
}
