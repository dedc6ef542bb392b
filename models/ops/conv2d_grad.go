package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// conv2dGradXOp computes dx = col2im(Wᵀ·dY) from (w, dy).
type conv2dGradXOp struct {
	g   convGeom
	st  *conv2dState
	out outCache
}

func (op *conv2dGradXOp) Arity() int { return 2 }
func (op *conv2dGradXOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t, t)
}
func (op *conv2dGradXOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.N, op.g.C, op.g.H, op.g.W}, nil
}
func (op *conv2dGradXOp) ReturnsPtr() bool     { return false }
func (op *conv2dGradXOp) CallsExtern() bool    { return false }
func (op *conv2dGradXOp) OverwritesInput() int { return -1 }
func (op *conv2dGradXOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.Conv2DGradX(%v, %p)", op.g.key(), op.st)
}
func (op *conv2dGradXOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv2dGradXOp) String() string   { return "Conv2DGradX" }
func (op *conv2dGradXOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *conv2dGradXOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	w, dy, dt, err := twoInputs(op, in, 4, 4)
	if err != nil {
		return nil, err
	}
	g := op.g
	if w.Shape().TotalSize() != g.O*g.rows || dy.Shape().TotalSize() != g.ySize {
		return nil, fmt.Errorf("ops: %v: got w %v and dy %v, built for %s", op, w.Shape(), dy.Shape(), g.key())
	}
	dx := output(prealloc, &op.out, dt, tensor.Shape{g.N, g.C, g.H, g.W}, in...)
	if dt == tensor.Float32 {
		conv2dBackwardX[float32](g, op.st, w, dy, dx)
	} else {
		conv2dBackwardX[float64](g, op.st, w, dy, dx)
	}
	return dx, nil
}

func conv2dBackwardX[T float](g convGeom, st *conv2dState, w, dy, dx *tensor.Dense) {
	L, cs := g.outPlane, g.C*g.H*g.W
	wd, dyd, dxd := data[T](w), data[T](dy), data[T](dx)
	if g.perSample {
		// Per sample: dcol_n = Wᵀ·dy_n into this worker's block, then col2im into dx_n.
		workers := maxWorkers()
		dcol := get[T](&st.dcol, workers*g.rows*L)
		g.samplesRun(func() {
			parallelTasks(g.N, workers, func(wk, n int) {
				dc := dcol[wk*g.rows*L:][:g.rows*L]
				gemm(true, false, g.rows, L, g.O, 1, wd, g.rows, dyd[n*g.O*L:], L, 0, dc, L)
				col2imSample(g, dc, L, dxd[n*cs:][:cs])
			})
		})
		return
	}
	dyc := dyCNL[T](g, st, dy)
	dcol := get[T](&st.dcol, g.rows*g.group*L)
	for s0 := 0; s0 < g.N; s0 += g.group {
		gs := min(g.group, g.N-s0)
		ld := gs * L
		gemm(true, false, g.rows, ld, g.O, 1, wd, g.rows, dyc[s0*g.O*L:], ld, 0, dcol, ld)
		parallelFor(gs, g.rows*L, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				col2imSample(g, dcol[n*L:], ld, dxd[(s0+n)*cs:][:cs])
			}
		})
	}
}

// conv2dGradWOp computes dW = dY·colᵀ from (x, dy), reusing the forward's column matrix when it
// was built from this x in this step.
type conv2dGradWOp struct {
	g   convGeom
	st  *conv2dState
	out outCache
}

func (op *conv2dGradWOp) Arity() int { return 2 }
func (op *conv2dGradWOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t, t)
}
func (op *conv2dGradWOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.O, op.g.C, op.g.KH, op.g.KW}, nil
}
func (op *conv2dGradWOp) ReturnsPtr() bool     { return false }
func (op *conv2dGradWOp) CallsExtern() bool    { return false }
func (op *conv2dGradWOp) OverwritesInput() int { return -1 }
func (op *conv2dGradWOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.Conv2DGradW(%v, %p)", op.g.key(), op.st)
}
func (op *conv2dGradWOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv2dGradWOp) String() string   { return "Conv2DGradW" }
func (op *conv2dGradWOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *conv2dGradWOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, dy, dt, err := twoInputs(op, in, 4, 4)
	if err != nil {
		return nil, err
	}
	g := op.g
	if x.Shape().TotalSize() != g.xSize || dy.Shape().TotalSize() != g.ySize {
		return nil, fmt.Errorf("ops: %v: got x %v and dy %v, built for %s", op, x.Shape(), dy.Shape(), g.key())
	}
	dw := output(prealloc, &op.out, dt, tensor.Shape{g.O, g.C, g.KH, g.KW}, in...)
	if dt == tensor.Float32 {
		conv2dBackwardW[float32](g, op.st, x, dy, dw)
	} else {
		conv2dBackwardW[float64](g, op.st, x, dy, dw)
	}
	return dw, nil
}

func conv2dBackwardW[T float](g convGeom, st *conv2dState, x, dy, dw *tensor.Dense) {
	L, cs := g.outPlane, g.C*g.H*g.W
	xd, dyd, dwd := data[T](x), data[T](dy), data[T](dw)
	if g.perSample {
		// dW = Σ_n dy_n·col_nᵀ: each worker rebuilds col_n in its own block (in cache) and sums
		// its samples into its own O×R part (β = 1 onto a zeroed part), then the parts are added
		// in worker order (deterministic for a given GOMAXPROCS).
		workers := min(maxWorkers(), g.N)
		or := g.O * g.rows
		colw := get[T](&st.col, workers*g.rows*L)
		parts := get[T](&st.dwPart, workers*or)
		clear(parts)
		g.samplesRun(func() {
			parallelTasks(g.N, workers, func(wk, n int) {
				cn := colw[wk*g.rows*L:][:g.rows*L]
				im2colSample(g, xd[n*cs:][:cs], cn, L)
				gemm(false, true, g.O, g.rows, L, 1, dyd[n*g.O*L:], L, cn, L, 1, parts[wk*or:], g.rows)
			})
		})
		copy(dwd, parts[:or])
		for wk := 1; wk < workers; wk++ {
			addTo(dwd[:or], parts[wk*or:][:or])
		}
		return
	}
	col := get[T](&st.col, g.rows*g.N*L)
	if st.colGen != st.gen || st.colFrom != x.Uintptr() || st.gen == 0 {
		parallelFor(g.N, g.rows*L, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				s0 := n / g.group * g.group
				gs := min(g.group, g.N-s0)
				im2colSample(g, xd[n*cs:][:cs], col[s0*g.rows*L+(n-s0)*L:], gs*L)
			}
		})
		st.colGen, st.colFrom = st.gen, x.Uintptr()
	}
	dyc := dyCNL[T](g, st, dy)
	for s0 := 0; s0 < g.N; s0 += g.group {
		gs := min(g.group, g.N-s0)
		ld := gs * L
		var beta T
		if s0 > 0 {
			beta = 1
		}
		gemm(false, true, g.O, g.rows, ld, 1, dyc[s0*g.O*L:], ld, col[s0*g.rows*L:], ld, beta, dwd, g.rows)
	}
}

// channelSumOp computes db[c] = Σ_n Σ_l dy[n,c,l] for dy of shape N×C×… (l runs over the trailing
// dimensions, L elements): the gradient of a per-channel bias.
type channelSumOp struct {
	dims    int // of dy
	n, c, l int
	out     outCache
}

func (op *channelSumOp) Arity() int { return 1 }
func (op *channelSumOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(1))
}
func (op *channelSumOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.c}, nil
}
func (op *channelSumOp) ReturnsPtr() bool     { return false }
func (op *channelSumOp) CallsExtern() bool    { return false }
func (op *channelSumOp) OverwritesInput() int { return -1 }
func (op *channelSumOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.ChannelSum(%d,%d,%d)", op.n, op.c, op.l)
}
func (op *channelSumOp) Hashcode() uint32 { return hashOf(op) }
func (op *channelSumOp) String() string   { return "ChannelSum" }
func (op *channelSumOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *channelSumOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: %v: got %d inputs, want 1", op, len(in))
	}
	dt, err := dtypeOf(in[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(in[0], dt, -1, "ChannelSum dy")
	if err != nil {
		return nil, err
	}
	if dy.Shape().TotalSize() != op.n*op.c*op.l {
		return nil, fmt.Errorf("ops: %v: got dy %v", op, dy.Shape())
	}
	db := output(prealloc, &op.out, dt, tensor.Shape{op.c}, in...)
	if dt == tensor.Float32 {
		channelSum(op.n, op.c, op.l, data[float32](dy), data[float32](db))
	} else {
		channelSum(op.n, op.c, op.l, data[float64](dy), data[float64](db))
	}
	return db, nil
}

func channelSum[T float](n, c, l int, dy, db []T) {
	parallelFor(c, n*l, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			var s T
			for i := 0; i < n; i++ {
				s += rowSum(dy[(i*c+ch)*l:][:l])
			}
			db[ch] = s
		}
	})
}

// rowSum returns Σ x[i]: sum32 (AVX2 where the CPU has it) for float32, sumChains otherwise.
func rowSum[T float](x []T) T {
	if v, ok := any(x).([]float32); ok {
		return T(sum32(v))
	}
	return sumChains(x)
}

// sumChains returns Σ x[i] in four chains: a single running sum waits on every add.
func sumChains[T float](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// twoInputs checks and extracts the two dense inputs of a gradient op.
func twoInputs(op G.Op, in []G.Value, dimsA, dimsB int) (a, b *tensor.Dense, dt tensor.Dtype, err error) {
	if len(in) != 2 {
		return nil, nil, dt, fmt.Errorf("ops: %v: got %d inputs, want 2", op, len(in))
	}
	if dt, err = dtypeOf(in[0]); err != nil {
		return nil, nil, dt, err
	}
	if a, err = dense(in[0], dt, dimsA, op.String()); err != nil {
		return nil, nil, dt, err
	}
	if b, err = dense(in[1], dt, dimsB, op.String()); err != nil {
		return nil, nil, dt, err
	}
	return a, b, dt, nil
}
