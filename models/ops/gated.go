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
//	da = dy · σ(b) · (1 − tanh²(a)),   db = dy · tanh(a) · σ(b) · (1 − σ(b))
//
// a and b must have the same shape (any rank). Nothing is stored between forward and backward:
// each gradient recomputes tanh and σ (float32 with a 1–2 ulp polynomial exp, float64 with
// math.Exp), which costs less time than keeping two more activation-sized tensors costs memory.
func Gated(a, b *G.Node) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	if !as.Eq(bs) {
		return nil, fmt.Errorf("ops: Gated: a %v and b %v must have the same shape", as, bs)
	}
	return G.ApplyOp(&gatedOp{shape: as.Clone()}, a, b)
}

type gatedOp struct {
	shape tensor.Shape
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
		ad, bd, yd := a.Float32s(), b.Float32s(), y.Float32s()
		parallelFor(n, 8, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				yd[i] = tanh32(ad[i]) * sigmoid32(bd[i])
			}
		})
	} else {
		ad, bd, yd := a.Float64s(), b.Float64s(), y.Float64s()
		parallelFor(n, 8, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				yd[i] = math.Tanh(ad[i]) * sigmoid64(bd[i])
			}
		})
	}
	return y, nil
}

func (op *gatedOp) DiffWRT(int) []bool { return []bool{true, true} }

func (op *gatedOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	da, err := G.ApplyOp(&gatedGradOp{shape: op.shape, wrtB: false}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Gated da: %w", err)
	}
	db, err := G.ApplyOp(&gatedGradOp{shape: op.shape, wrtB: true}, inputs[0], inputs[1], grad)
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
	in := []G.Value{inputs[0].Value(), inputs[1].Value(), dy}
	return doDiff(inputs,
		struct {
			op G.Op
			in []G.Value
		}{&gatedGradOp{shape: op.shape}, in},
		struct {
			op G.Op
			in []G.Value
		}{&gatedGradOp{shape: op.shape, wrtB: true}, in})
}

// gatedGradOp computes da (wrtB false) or db (wrtB true) from (a, b, dy).
type gatedGradOp struct {
	shape tensor.Shape
	wrtB  bool
	out   outCache
}

func (op *gatedGradOp) Arity() int { return 3 }
func (op *gatedGradOp) Type() hm.Type {
	t := tensorType(op.shape.Dims())
	return hm.NewFnType(t, t, t, t)
}
func (op *gatedGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *gatedGradOp) ReturnsPtr() bool                               { return false }
func (op *gatedGradOp) CallsExtern() bool                              { return false }
func (op *gatedGradOp) OverwritesInput() int                           { return -1 }
func (op *gatedGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.GatedGrad(%v, b=%t)", op.shape, op.wrtB)
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
	if len(in) != 3 {
		return nil, fmt.Errorf("ops: %v: got %d inputs, want 3", op, len(in))
	}
	d := op.shape.Dims()
	a, b, dt, err := twoInputs(op, in[:2], d, d)
	if err != nil {
		return nil, err
	}
	dy, err := dense(in[2], dt, d, op.String())
	if err != nil {
		return nil, err
	}
	if !a.Shape().Eq(op.shape) || !b.Shape().Eq(op.shape) || !dy.Shape().Eq(op.shape) {
		return nil, fmt.Errorf("ops: %v: got %v, %v, %v, built for %v", op, a.Shape(), b.Shape(), dy.Shape(), op.shape)
	}
	out := output(prealloc, &op.out, dt, op.shape, in...)
	n := op.shape.TotalSize()
	if dt == tensor.Float32 {
		ad, bd, gd, od := a.Float32s(), b.Float32s(), dy.Float32s(), out.Float32s()
		parallelFor(n, 8, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				t, s := tanh32(ad[i]), sigmoid32(bd[i])
				if op.wrtB {
					od[i] = gd[i] * t * s * (1 - s)
				} else {
					od[i] = gd[i] * s * (1 - t*t)
				}
			}
		})
	} else {
		ad, bd, gd, od := a.Float64s(), b.Float64s(), dy.Float64s(), out.Float64s()
		parallelFor(n, 8, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				t, s := math.Tanh(ad[i]), sigmoid64(bd[i])
				if op.wrtB {
					od[i] = gd[i] * t * s * (1 - s)
				} else {
					od[i] = gd[i] * s * (1 - t*t)
				}
			}
		})
	}
	return out, nil
}
