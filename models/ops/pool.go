package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2x2 is 2×2 max-pooling with stride 2 of x (N×C×H×W, NCHW):
//
//	y[n,c,i,j] = max_{a,b ∈ {0,1}} x[n, c, 2i+a, 2j+b],   i < ⌊H/2⌋, j < ⌊W/2⌋
//
// An odd last row or column is dropped, as in PyTorch's default. The position of each maximum
// (the first one on ties; a NaN wins) is kept for the backward, which routes dy[n,c,i,j] to that
// position and 0 elsewhere. It returns an error unless x is 4-D with H, W ≥ 2.
func MaxPool2x2(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 || s[2] < 2 || s[3] < 2 {
		return nil, fmt.Errorf("ops: MaxPool2x2: x %v must be N×C×H×W with H, W ≥ 2", s)
	}
	p := poolGeom{n: s[0], c: s[1], h: s[2], w: s[3]}
	return G.ApplyOp(&maxPoolOp{g: p, st: &poolState{}}, x)
}

type poolGeom struct{ n, c, h, w int }

func (p poolGeom) oh() int { return p.h / 2 }
func (p poolGeom) ow() int { return p.w / 2 }

// poolState holds, for each output, the in-plane index of its maximum.
type poolState struct{ argmax []int32 }

type maxPoolOp struct {
	g   poolGeom
	st  *poolState
	out outCache
}

func (op *maxPoolOp) Arity() int { return 1 }
func (op *maxPoolOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t)
}
func (op *maxPoolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.n, op.g.c, op.g.oh(), op.g.ow()}, nil
}
func (op *maxPoolOp) ReturnsPtr() bool      { return false }
func (op *maxPoolOp) CallsExtern() bool     { return false }
func (op *maxPoolOp) OverwritesInput() int  { return -1 }
func (op *maxPoolOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "ops.MaxPool2x2(%v)", op.g) }
func (op *maxPoolOp) Hashcode() uint32      { return hashOf(op) }
func (op *maxPoolOp) String() string        { return "MaxPool2x2" }
func (op *maxPoolOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *maxPoolOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: MaxPool2x2: got %d inputs, want 1", len(in))
	}
	dt, err := dtypeOf(in[0])
	if err != nil {
		return nil, err
	}
	x, err := dense(in[0], dt, 4, "MaxPool2x2 x")
	if err != nil {
		return nil, err
	}
	p := op.g
	if x.Shape().TotalSize() != p.n*p.c*p.h*p.w {
		return nil, fmt.Errorf("ops: MaxPool2x2: got x %v, built for %v", x.Shape(), p)
	}
	y := output(prealloc, &op.out, dt, tensor.Shape{p.n, p.c, p.oh(), p.ow()}, in...)
	if len(op.st.argmax) != p.n*p.c*p.oh()*p.ow() {
		op.st.argmax = make([]int32, p.n*p.c*p.oh()*p.ow())
	}
	if dt == tensor.Float32 {
		maxPoolForward(p, data[float32](x), data[float32](y), op.st.argmax)
	} else {
		maxPoolForward(p, data[float64](x), data[float64](y), op.st.argmax)
	}
	return y, nil
}

func maxPoolForward[T float](p poolGeom, x, y []T, argmax []int32) {
	oh, ow := p.oh(), p.ow()
	parallelFor(p.n*p.c, p.h*p.w, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			img := x[pl*p.h*p.w:][:p.h*p.w]
			out := y[pl*oh*ow:][:oh*ow]
			arg := argmax[pl*oh*ow:][:oh*ow]
			for i := 0; i < oh; i++ {
				r0 := img[2*i*p.w:][:p.w]
				r1 := img[(2*i+1)*p.w:][:p.w]
				for j := 0; j < ow; j++ {
					m, at := r0[2*j], (2*i)*p.w+2*j
					if v := r0[2*j+1]; v > m || (v != v && m == m) {
						m, at = v, (2*i)*p.w+2*j+1
					}
					if v := r1[2*j]; v > m || (v != v && m == m) {
						m, at = v, (2*i+1)*p.w+2*j
					}
					if v := r1[2*j+1]; v > m || (v != v && m == m) {
						m, at = v, (2*i+1)*p.w+2*j+1
					}
					out[i*ow+j], arg[i*ow+j] = m, int32(at)
				}
			}
		}
	})
}

func (op *maxPoolOp) DiffWRT(int) []bool { return []bool{true} }

func (op *maxPoolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&maxPoolGradOp{g: op.g, st: op.st}, grad)
	if err != nil {
		return nil, fmt.Errorf("ops: MaxPool2x2 dx: %w", err)
	}
	return G.Nodes{dx}, nil
}

// DoDiff accumulates dx into the input's dual value (used by the LispMachine).
func (op *maxPoolOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	dy, err := output.Grad()
	if err != nil {
		return fmt.Errorf("ops: MaxPool2x2: output gradient: %w", err)
	}
	return doDiff(inputs, struct {
		op G.Op
		in []G.Value
	}{&maxPoolGradOp{g: op.g, st: op.st}, []G.Value{dy}})
}

// maxPoolGradOp routes dy to the positions of the forward's maxima.
type maxPoolGradOp struct {
	g   poolGeom
	st  *poolState
	out outCache
}

func (op *maxPoolGradOp) Arity() int { return 1 }
func (op *maxPoolGradOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t)
}
func (op *maxPoolGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.n, op.g.c, op.g.h, op.g.w}, nil
}
func (op *maxPoolGradOp) ReturnsPtr() bool     { return false }
func (op *maxPoolGradOp) CallsExtern() bool    { return false }
func (op *maxPoolGradOp) OverwritesInput() int { return -1 }
func (op *maxPoolGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.MaxPool2x2Grad(%v, %p)", op.g, op.st)
}
func (op *maxPoolGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *maxPoolGradOp) String() string   { return "MaxPool2x2Grad" }
func (op *maxPoolGradOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

func (op *maxPoolGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: MaxPool2x2Grad: got %d inputs, want 1", len(in))
	}
	dt, err := dtypeOf(in[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(in[0], dt, 4, "MaxPool2x2Grad dy")
	if err != nil {
		return nil, err
	}
	p := op.g
	if dy.Shape().TotalSize() != len(op.st.argmax) {
		return nil, fmt.Errorf("ops: MaxPool2x2Grad: dy %v does not match the forward (did it run?)", dy.Shape())
	}
	dx := output(prealloc, &op.out, dt, tensor.Shape{p.n, p.c, p.h, p.w}, in...)
	if dt == tensor.Float32 {
		maxPoolBackward(p, data[float32](dy), data[float32](dx), op.st.argmax)
	} else {
		maxPoolBackward(p, data[float64](dy), data[float64](dx), op.st.argmax)
	}
	return dx, nil
}

func maxPoolBackward[T float](p poolGeom, dy, dx []T, argmax []int32) {
	ol := p.oh() * p.ow()
	parallelFor(p.n*p.c, p.h*p.w, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			img := dx[pl*p.h*p.w:][:p.h*p.w]
			clear(img)
			g := dy[pl*ol:][:ol]
			for i, at := range argmax[pl*ol:][:ol] {
				img[at] = g[i]
			}
		}
	})
}
