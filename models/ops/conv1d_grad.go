package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// conv1dGradXOp computes dx from (w, dy): dx[n,:,0:T−s] += W_kᵀ·dy[n,:,s:T] for each tap.
type conv1dGradXOp struct {
	g   c1Geom
	st  *slab // the forward's repacked taps are rebuilt here from w (cheap, and always current)
	out outCache
}

func (op *conv1dGradXOp) Arity() int { return 2 }
func (op *conv1dGradXOp) Type() hm.Type {
	t := tensorType(3)
	return hm.NewFnType(t, t, t)
}
func (op *conv1dGradXOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.n, op.g.c, op.g.t}, nil
}
func (op *conv1dGradXOp) ReturnsPtr() bool     { return false }
func (op *conv1dGradXOp) CallsExtern() bool    { return false }
func (op *conv1dGradXOp) OverwritesInput() int { return -1 }
func (op *conv1dGradXOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.CausalConv1DGradX(%v, %p)", op.g, op.st)
}
func (op *conv1dGradXOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv1dGradXOp) String() string   { return "CausalConv1DGradX" }
func (op *conv1dGradXOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *conv1dGradXOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	w, dy, dt, err := twoInputs(op, in, 3, 3)
	if err != nil {
		return nil, err
	}
	g := op.g
	if w.Shape().TotalSize() != g.o*g.c*g.k || dy.Shape().TotalSize() != g.n*g.o*g.t {
		return nil, fmt.Errorf("ops: %v: got w %v and dy %v, built for %v", op, w.Shape(), dy.Shape(), g)
	}
	dx := output(prealloc, &op.out, dt, tensor.Shape{g.n, g.c, g.t}, in...)
	if dt == tensor.Float32 {
		conv1dBackwardX[float32](g, op.st, w, dy, dx)
	} else {
		conv1dBackwardX[float64](g, op.st, w, dy, dx)
	}
	return dx, nil
}

func conv1dBackwardX[T float](g c1Geom, st *slab, w, dy, dx *tensor.Dense) {
	wk := get[T](st, g.k*g.o*g.c)
	taps(g, data[T](w), wk)
	dyd, dxd := data[T](dy), data[T](dx)
	cols := gemmCols(g.c, g.o)
	chunks := (g.t + cols - 1) / cols
	// One task is one sample and one chunk of dx columns [c0, c1).
	parallelTasks(g.n*chunks, maxWorkers(), func(_, task int) {
		n, c0 := task/chunks, (task%chunks)*cols
		c1 := min(c0+cols, g.t)
		dyn, dxn := dyd[n*g.o*g.t:], dxd[n*g.c*g.t:]
		for k := g.k - 1; k >= 0; k-- {
			s := g.shift(k)
			hi := min(c1, g.t-s)
			if hi <= c0 {
				continue
			}
			var beta T
			if k != g.k-1 {
				beta = 1
			}
			gemm(true, false, g.c, hi-c0, g.o, 1, wk[k*g.o*g.c:], g.c, dyn[c0+s:], g.t, beta, dxn[c0:], g.t)
		}
	})
}

// conv1dGradWOp computes dW from (x, dy): dW_k = Σ_n dy[n,:,s:T]·x[n,:,0:T−s]ᵀ.
type conv1dGradWOp struct {
	g   c1Geom
	ws  slab // K × O × C accumulator
	out outCache
}

func (op *conv1dGradWOp) Arity() int { return 2 }
func (op *conv1dGradWOp) Type() hm.Type {
	t := tensorType(3)
	return hm.NewFnType(t, t, t)
}
func (op *conv1dGradWOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.o, op.g.c, op.g.k}, nil
}
func (op *conv1dGradWOp) ReturnsPtr() bool     { return false }
func (op *conv1dGradWOp) CallsExtern() bool    { return false }
func (op *conv1dGradWOp) OverwritesInput() int { return -1 }
func (op *conv1dGradWOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.CausalConv1DGradW(%v)", op.g)
}
func (op *conv1dGradWOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv1dGradWOp) String() string   { return "CausalConv1DGradW" }
func (op *conv1dGradWOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *conv1dGradWOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, dy, dt, err := twoInputs(op, in, 3, 3)
	if err != nil {
		return nil, err
	}
	g := op.g
	if x.Shape().TotalSize() != g.n*g.c*g.t || dy.Shape().TotalSize() != g.n*g.o*g.t {
		return nil, fmt.Errorf("ops: %v: got x %v and dy %v, built for %v", op, x.Shape(), dy.Shape(), g)
	}
	dw := output(prealloc, &op.out, dt, tensor.Shape{g.o, g.c, g.k}, in...)
	if dt == tensor.Float32 {
		conv1dBackwardW[float32](g, &op.ws, x, dy, dw)
	} else {
		conv1dBackwardW[float64](g, &op.ws, x, dy, dw)
	}
	return dw, nil
}

func conv1dBackwardW[T float](g c1Geom, ws *slab, x, dy, dw *tensor.Dense) {
	size := g.k * g.o * g.c
	workers := maxWorkers()
	acc := get[T](ws, workers*size) // one K×O×C partial sum per worker
	clear(acc)
	xd, dyd := data[T](x), data[T](dy)
	cols := gemmCols(g.o, g.c)
	chunks := (g.t + cols - 1) / cols
	// One task is one sample and one chunk of time steps [t0, t1) of x, summed into the worker's
	// partial dW_k = Σ dy[n, :, t+s] · x[n, :, t]ᵀ.
	parallelTasks(g.n*chunks, workers, func(wkr, task int) {
		n, t0 := task/chunks, (task%chunks)*cols
		t1 := min(t0+cols, g.t)
		part := acc[wkr*size:]
		for k := 0; k < g.k; k++ {
			s := g.shift(k)
			hi := min(t1, g.t-s)
			if hi <= t0 {
				continue
			}
			gemm(false, true, g.o, g.c, hi-t0, 1, dyd[n*g.o*g.t+t0+s:], g.t, xd[n*g.c*g.t+t0:], g.t, 1, part[k*g.o*g.c:], g.c)
		}
	})
	for w := 1; w < workers; w++ {
		axpy(acc[:size], acc[w*size:(w+1)*size])
	}
	dwd := data[T](dw)
	for o := 0; o < g.o; o++ {
		for c := 0; c < g.c; c++ {
			for k := 0; k < g.k; k++ {
				dwd[(o*g.c+c)*g.k+k] = acc[(k*g.o+o)*g.c+c]
			}
		}
	}
}
