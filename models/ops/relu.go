package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Relu is max(x, 0) element by element, for any shape, with the gradient dx = dy·[y > 0] taken
// from the output (so x need not be kept). NaN passes through; the gradient at 0 is 0. It replaces
// G.Rectify, whose forward and backward allocate several tensors per step.
func Relu(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(&reluOp{shape: x.Shape().Clone()}, x)
}

type reluOp struct {
	shape tensor.Shape
	out   outCache
}

func (op *reluOp) Arity() int { return 1 }
func (op *reluOp) Type() hm.Type {
	t := tensorType(op.shape.Dims())
	return hm.NewFnType(t, t)
}
func (op *reluOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *reluOp) ReturnsPtr() bool                               { return false }
func (op *reluOp) CallsExtern() bool                              { return false }
func (op *reluOp) OverwritesInput() int                           { return -1 }
func (op *reluOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "ops.Relu(%v)", op.shape) }
func (op *reluOp) Hashcode() uint32                               { return hashOf(op) }
func (op *reluOp) String() string                                 { return "Relu" }
func (op *reluOp) Do(in ...G.Value) (G.Value, error)              { return op.UsePreallocDo(nil, in...) }
func (op *reluOp) cache() *outCache                               { return &op.out }

func (op *reluOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: Relu: got %d inputs, want 1", len(in))
	}
	dt, err := dtypeOf(in[0])
	if err != nil {
		return nil, err
	}
	x, err := dense(in[0], dt, op.shape.Dims(), "Relu x")
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.shape) {
		return nil, fmt.Errorf("ops: Relu: got x %v, built for %v", x.Shape(), op.shape)
	}
	y := output(prealloc, &op.out, dt, op.shape, in...)
	if dt == tensor.Float32 {
		relu(x.Float32s(), y.Float32s())
	} else {
		relu(x.Float64s(), y.Float64s())
	}
	return y, nil
}

func relu[T float](x, y []T) {
	parallelFor(len(y), 1, func(lo, hi int) {
		for i, v := range x[lo:hi] {
			if v <= 0 { // false for NaN, which passes through
				v = 0
			}
			y[lo+i] = v
		}
	})
}

func (op *reluOp) DiffWRT(int) []bool { return []bool{true} }

func (op *reluOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&reluGradOp{shape: op.shape}, output, grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Relu dx: %w", err)
	}
	return G.Nodes{dx}, nil
}

// DoDiff accumulates dx into the input's dual value (used by the LispMachine).
func (op *reluOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	dy, err := output.Grad()
	if err != nil {
		return fmt.Errorf("ops: Relu: output gradient: %w", err)
	}
	return doDiff(inputs, struct {
		op G.Op
		in []G.Value
	}{&reluGradOp{shape: op.shape}, []G.Value{output.Value(), dy}})
}

// reluGradOp computes dx = dy·[y > 0] from (y, dy).
type reluGradOp struct {
	shape tensor.Shape
	out   outCache
}

func (op *reluGradOp) Arity() int { return 2 }
func (op *reluGradOp) Type() hm.Type {
	t := tensorType(op.shape.Dims())
	return hm.NewFnType(t, t, t)
}
func (op *reluGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *reluGradOp) ReturnsPtr() bool                               { return false }
func (op *reluGradOp) CallsExtern() bool                              { return false }
func (op *reluGradOp) OverwritesInput() int                           { return -1 }
func (op *reluGradOp) WriteHash(h hash.Hash)                          { fmt.Fprintf(h, "ops.ReluGrad(%v)", op.shape) }
func (op *reluGradOp) Hashcode() uint32                               { return hashOf(op) }
func (op *reluGradOp) String() string                                 { return "ReluGrad" }
func (op *reluGradOp) Do(in ...G.Value) (G.Value, error)              { return op.UsePreallocDo(nil, in...) }
func (op *reluGradOp) cache() *outCache                               { return &op.out }

func (op *reluGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	d := op.shape.Dims()
	y, dy, dt, err := twoInputs(op, in, d, d)
	if err != nil {
		return nil, err
	}
	if !y.Shape().Eq(op.shape) || !dy.Shape().Eq(op.shape) {
		return nil, fmt.Errorf("ops: ReluGrad: got y %v and dy %v, built for %v", y.Shape(), dy.Shape(), op.shape)
	}
	dx := output(prealloc, &op.out, dt, op.shape, in...)
	if dt == tensor.Float32 {
		reluGrad(y.Float32s(), dy.Float32s(), dx.Float32s())
	} else {
		reluGrad(y.Float64s(), dy.Float64s(), dx.Float64s())
	}
	return dx, nil
}

func reluGrad[T float](y, dy, dx []T) {
	parallelFor(len(dx), 1, func(lo, hi int) {
		g := dy[lo:hi]
		for i, v := range y[lo:hi] {
			if v > 0 {
				dx[lo+i] = g[i]
			} else {
				dx[lo+i] = 0
			}
		}
	})
}
