package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftmaxCrossEntropy is the mean cross-entropy between softmax(logits) and targets, fused and
// numerically stable. logits and targets are both N×K; each row of targets is a one-hot label or
// any distribution over the K classes (soft labels, as in distillation):
//
//	loss = (1/N) Σ_n [ S_n · lse(z_n) − Σ_k t[n,k]·z[n,k] ],   S_n = Σ_k t[n,k]
//	lse(z) = m + log Σ_k exp(z_k − m),   m = max_k z_k
//
// so it stays finite for logits of any size (1e4 and beyond). The gradient with respect to the
// logits is dz[n,k] = (S_n·softmax(z_n)_k − t[n,k]) / N, which is (p − onehot)/N for one-hot rows;
// targets are treated as constants (no gradient). The result is a scalar node.
func SoftmaxCrossEntropy(logits, targets *G.Node) (*G.Node, error) {
	ls, ts := logits.Shape(), targets.Shape()
	if ls.Dims() != 2 || !ls.Eq(ts) {
		return nil, fmt.Errorf("ops: SoftmaxCrossEntropy: logits %v and targets %v must both be N×K", ls, ts)
	}
	return G.ApplyOp(&xentOp{n: ls[0], k: ls[1]}, logits, targets)
}

type xentOp struct{ n, k int }

func (op *xentOp) Arity() int { return 2 }
func (op *xentOp) Type() hm.Type {
	t := tensorType(2)
	return hm.NewFnType(t, t, hm.TypeVariable('a'))
}
func (op *xentOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *xentOp) ReturnsPtr() bool                               { return false }
func (op *xentOp) CallsExtern() bool                              { return false }
func (op *xentOp) OverwritesInput() int                           { return -1 }
func (op *xentOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.SoftmaxCrossEntropy(%d,%d)", op.n, op.k)
}
func (op *xentOp) Hashcode() uint32 { return hashOf(op) }
func (op *xentOp) String() string   { return "SoftmaxCrossEntropy" }

func (op *xentOp) Do(in ...G.Value) (G.Value, error) {
	z, t, dt, err := twoInputs(op, in, 2, 2)
	if err != nil {
		return nil, err
	}
	if z.Shape().TotalSize() != op.n*op.k || t.Shape().TotalSize() != op.n*op.k {
		return nil, fmt.Errorf("ops: SoftmaxCrossEntropy: got logits %v, targets %v, built for %dx%d", z.Shape(), t.Shape(), op.n, op.k)
	}
	if dt == tensor.Float32 {
		return G.NewF32(float32(xentLoss(op.n, op.k, data[float32](z), data[float32](t)))), nil
	}
	return G.NewF64(xentLoss(op.n, op.k, data[float64](z), data[float64](t))), nil
}

// xentLoss accumulates in float64 whatever T is.
func xentLoss[T float](n, k int, z, t []T) float64 {
	var loss float64
	for i := 0; i < n; i++ {
		zr, tr := z[i*k:][:k], t[i*k:][:k]
		m := float64(zr[0])
		for _, v := range zr {
			if float64(v) > m {
				m = float64(v)
			}
		}
		var se, s, tz float64
		for j, v := range zr {
			se += math.Exp(float64(v) - m)
			if tr[j] != 0 {
				s += float64(tr[j])
				tz += float64(tr[j]) * float64(v)
			}
		}
		loss += s*(m+math.Log(se)) - tz
	}
	return loss / float64(n)
}

func (op *xentOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *xentOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz, err := G.ApplyOp(&xentGradOp{n: op.n, k: op.k}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("ops: SoftmaxCrossEntropy dz: %w", err)
	}
	return G.Nodes{dz, nil}, nil
}

// DoDiff accumulates dz into the logits' dual value (used by the LispMachine).
func (op *xentOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("ops: SoftmaxCrossEntropy: output gradient: %w", err)
	}
	return doDiff(inputs, struct {
		op G.Op
		in []G.Value
	}{&xentGradOp{n: op.n, k: op.k}, []G.Value{inputs[0].Value(), inputs[1].Value(), g}})
}

// xentGradOp computes dz = g·(S_n·softmax(z_n) − t_n)/N from (z, t, g).
type xentGradOp struct {
	n, k int
	out  outCache
}

func (op *xentGradOp) Arity() int { return 3 }
func (op *xentGradOp) Type() hm.Type {
	t := tensorType(2)
	return hm.NewFnType(t, t, hm.TypeVariable('a'), t)
}
func (op *xentGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.n, op.k}, nil
}
func (op *xentGradOp) ReturnsPtr() bool     { return false }
func (op *xentGradOp) CallsExtern() bool    { return false }
func (op *xentGradOp) OverwritesInput() int { return -1 }
func (op *xentGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.SoftmaxCrossEntropyGrad(%d,%d)", op.n, op.k)
}
func (op *xentGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *xentGradOp) String() string   { return "SoftmaxCrossEntropyGrad" }
func (op *xentGradOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *xentGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("ops: %v: got %d inputs, want 3", op, len(in))
	}
	z, t, dt, err := twoInputs(op, in[:2], 2, 2)
	if err != nil {
		return nil, err
	}
	g, err := scalarOf(in[2])
	if err != nil {
		return nil, fmt.Errorf("ops: %v: %w", op, err)
	}
	if z.Shape().TotalSize() != op.n*op.k || t.Shape().TotalSize() != op.n*op.k {
		return nil, fmt.Errorf("ops: %v: got logits %v, targets %v", op, z.Shape(), t.Shape())
	}
	dz := output(prealloc, &op.out, dt, tensor.Shape{op.n, op.k}, in...)
	if dt == tensor.Float32 {
		xentGrad(op.n, op.k, g, data[float32](z), data[float32](t), data[float32](dz))
	} else {
		xentGrad(op.n, op.k, g, data[float64](z), data[float64](t), data[float64](dz))
	}
	return dz, nil
}

func xentGrad[T float](n, k int, g float64, z, t, dz []T) {
	scale := g / float64(n)
	for i := 0; i < n; i++ {
		zr, tr, dr := z[i*k:][:k], t[i*k:][:k], dz[i*k:][:k]
		m := float64(zr[0])
		for _, v := range zr {
			if float64(v) > m {
				m = float64(v)
			}
		}
		var se, s float64
		for j, v := range zr {
			e := math.Exp(float64(v) - m)
			dr[j] = T(e)
			se += e
			s += float64(tr[j])
		}
		f := s / se
		for j := range dr {
			dr[j] = T(scale * (float64(dr[j])*f - float64(tr[j])))
		}
	}
}
