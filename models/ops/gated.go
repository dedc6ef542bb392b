package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gated is WaveNet's gated activation, element by element, fused into one pass:
//
//	y = tanh(a) · σ(b),   σ(b) = 1/(1+e^{−b})
//	da = dy · σ(b) · (1 − tanh²(a)) = dy · (s − y²/s),   db = dy · y · (1 − s),   s = σ(b)
//
// a and b must have the same shape (any rank). The forward keeps s = σ(b) (one activation-sized
// buffer per op, reused across steps) so that the backward needs no exponentials; where s
// underflows to 0, y = 0 and da = 0. float32 uses a 1–2 ulp polynomial exp, float64 math.Exp.
func Gated(a, b *G.Node) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	if !as.Eq(bs) {
		return nil, fmt.Errorf("ops: Gated: a %v and b %v must have the same shape", as, bs)
	}
	return G.ApplyOp(&gatedOp{shape: as.Clone(), sig: &slab{}}, a, b)
}

type gatedOp struct {
	shape tensor.Shape
	sig   *slab // σ(b) of the last forward, read by the gradient ops
	out   outCache
}

func (op *gatedOp) Arity() int { return 2 }
func (op *gatedOp) Type() hm.Type {
	t := tensorType(op.shape.Dims())
	return hm.NewFnType(t, t, t)
}
func (op *gatedOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *gatedOp) ReturnsPtr() bool                               { return false }
func (op *gatedOp) CallsExtern() bool                              { return false }
func (op *gatedOp) OverwritesInput() int                           { return -1 }
func (op *gatedOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "ops.Gated(%v)", op.shape) }
func (op *gatedOp) Hashcode() uint32                               { return hashOf(op) }
func (op *gatedOp) String() string                                 { return "Gated" }
func (op *gatedOp) Do(in ...G.Value) (G.Value, error)              { return op.UsePreallocDo(nil, in...) }

func (op *gatedOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	a, b, dt, err := twoInputs(op, in, op.shape.Dims(), op.shape.Dims())
	if err != nil {
		return nil, err
	}
	if !a.Shape().Eq(op.shape) || !b.Shape().Eq(op.shape) {
		return nil, fmt.Errorf("ops: Gated: got a %v and b %v, built for %v", a.Shape(), b.Shape(), op.shape)
	}
	y := output(prealloc, &op.out, dt, op.shape, in...)
	n := op.shape.TotalSize()
	if dt == tensor.Float32 {
		ad, bd, yd, sd := a.Float32s(), b.Float32s(), y.Float32s(), get[float32](op.sig, n)
		parallelFor((n+expChunk-1)/expChunk, expChunk*8, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				i0, i1 := c*expChunk, min((c+1)*expChunk, n)
				gate32(yd[i0:i1], sd[i0:i1], ad[i0:i1], bd[i0:i1])
			}
		})
	} else {
		ad, bd, yd, sd := a.Float64s(), b.Float64s(), y.Float64s(), get[float64](op.sig, n)
		parallelFor(n, 8, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				sd[i] = 1 / (1 + math.Exp(-bd[i]))
				yd[i] = math.Tanh(ad[i]) * sd[i]
			}
		})
	}
	return y, nil
}

func (op *gatedOp) DiffWRT(int) []bool { return []bool{true, true} }

func (op *gatedOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	da, err := G.ApplyOp(&gatedGradOp{shape: op.shape, sig: op.sig}, output, grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Gated da: %w", err)
	}
	db, err := G.ApplyOp(&gatedGradOp{shape: op.shape, sig: op.sig, wrtB: true}, output, grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Gated db: %w", err)
	}
	return G.Nodes{da, db}, nil
}

// DoDiff accumulates da and db into the inputs' dual values (used by the LispMachine).
func (op *gatedOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	dy, err := output.Grad()
	if err != nil {
		return fmt.Errorf("ops: Gated: output gradient: %w", err)
	}
	in := []G.Value{output.Value(), dy}
	return doDiff(inputs,
		struct {
			op G.Op
			in []G.Value
		}{&gatedGradOp{shape: op.shape, sig: op.sig}, in},
		struct {
			op G.Op
			in []G.Value
		}{&gatedGradOp{shape: op.shape, sig: op.sig, wrtB: true}, in})
}

// gatedGradOp computes da (wrtB false) or db (wrtB true) from (y, dy) and the forward's σ(b).
type gatedGradOp struct {
	shape tensor.Shape
	sig   *slab
	wrtB  bool
	out   outCache
}

func (op *gatedGradOp) Arity() int { return 2 }
func (op *gatedGradOp) Type() hm.Type {
	t := tensorType(op.shape.Dims())
	return hm.NewFnType(t, t, t)
}
func (op *gatedGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *gatedGradOp) ReturnsPtr() bool                               { return false }
func (op *gatedGradOp) CallsExtern() bool                              { return false }
func (op *gatedGradOp) OverwritesInput() int                           { return -1 }
func (op *gatedGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.GatedGrad(%v, b=%t, %p)", op.shape, op.wrtB, op.sig)
}
func (op *gatedGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *gatedGradOp) String() string {
	if op.wrtB {
		return "GatedGradB"
	}
	return "GatedGradA"
}
func (op *gatedGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

func (op *gatedGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	d := op.shape.Dims()
	y, dy, dt, err := twoInputs(op, in, d, d)
	if err != nil {
		return nil, err
	}
	n := op.shape.TotalSize()
	if !y.Shape().Eq(op.shape) || !dy.Shape().Eq(op.shape) {
		return nil, fmt.Errorf("ops: %v: got y %v and dy %v, built for %v", op, y.Shape(), dy.Shape(), op.shape)
	}
	out := output(prealloc, &op.out, dt, op.shape, in...)
	if dt == tensor.Float32 {
		if len(op.sig.f32) < n {
			return nil, fmt.Errorf("ops: %v: the forward has not run", op)
		}
		gatedBackward(op.wrtB, y.Float32s(), dy.Float32s(), op.sig.f32[:n], out.Float32s())
	} else {
		if len(op.sig.f64) < n {
			return nil, fmt.Errorf("ops: %v: the forward has not run", op)
		}
		gatedBackward(op.wrtB, y.Float64s(), dy.Float64s(), op.sig.f64[:n], out.Float64s())
	}
	return out, nil
}

func gatedBackward[T float](wrtB bool, y, dy, sig, out []T) {
	parallelFor(len(out), 4, func(lo, hi int) {
		if o, ok := any(out).([]float32); ok {
			lo += gatedBackward32Vec(wrtB, any(y).([]float32)[lo:hi], any(dy).([]float32)[lo:hi], any(sig).([]float32)[lo:hi], o[lo:hi])
		}
		if wrtB {
			for i := lo; i < hi; i++ {
				out[i] = dy[i] * y[i] * (1 - sig[i])
			}
			return
		}
		for i := lo; i < hi; i++ {
			if s := sig[i]; s != 0 {
				out[i] = dy[i] * (s - y[i]*y[i]/s)
			} else {
				out[i] = 0
			}
		}
	})
}
