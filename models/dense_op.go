package models

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fully connected layer as one Gorgonia op with its own backward ops, in the style of
// models/ops: y = x·W + b with the bias written first and the GEMM accumulating onto it
// (beta = 1), so there is no broadcast tensor and no separate add; dx = dy·Wᵀ, dW = xᵀ·dy
// (transposes done by BLAS, never materialised) and db = Σ_rows dy. Each op keeps its output
// tensor across steps, because Gorgonia's TapeMachine drops every register on Reset and stock
// G.Mul and G.BroadcastAdd then allocate their outputs (and the broadcast copy of b) again on
// every step. The ops implement SymDiff only: they are for TapeMachines.

// denseGeom is the shape of one fully connected layer: x is n×in, W is in×out, b is out.
type denseGeom struct{ n, in, out int }

func (g denseGeom) String() string { return fmt.Sprintf("%dx%d·%dx%d", g.n, g.in, g.in, g.out) }

// denseLayer returns x·W + b for x (n×in), W (in×out) and b (out) as one op.
func denseLayer(x, w, b *G.Node) (*G.Node, error) {
	xs, ws, bs := x.Shape(), w.Shape(), b.Shape()
	if xs.Dims() != 2 || ws.Dims() != 2 || bs.Dims() != 1 || xs[1] != ws[0] || bs[0] != ws[1] {
		return nil, fmt.Errorf("dense: x %v, W %v, b %v: want n×in, in×out, out", xs, ws, bs)
	}
	return G.ApplyOp(&denseOp{g: denseGeom{n: xs[0], in: xs[1], out: ws[1]}}, x, w, b)
}

// denseOut is an op's output tensor, kept across steps.
type denseOut struct{ t *tensor.Dense }

func (k *denseOut) get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if k.t == nil || k.t.Dtype() != dt || !k.t.Shape().Eq(tensor.Shape(shape)) {
		k.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	}
	return k.t
}

// denseInputs checks that in holds len(sizes) contiguous tensors of one float dtype with the
// given element counts, materialising strided views, and returns them and the dtype.
func denseInputs(op fmt.Stringer, in []G.Value, sizes ...int) (out [3]*tensor.Dense, dt tensor.Dtype, err error) {
	if len(in) != len(sizes) || len(in) > len(out) {
		return out, dt, fmt.Errorf("models: %v: got %d inputs, want %d", op, len(in), len(sizes))
	}
	for i, v := range in {
		t, ok := v.(*tensor.Dense)
		if !ok {
			return out, dt, fmt.Errorf("models: %v: input %d is a %T, want a *tensor.Dense", op, i, v)
		}
		if i == 0 {
			dt = t.Dtype()
			if dt != tensor.Float32 && dt != tensor.Float64 {
				return out, dt, fmt.Errorf("models: %v: dtype %v, want float32 or float64", op, dt)
			}
		}
		if t.Dtype() != dt || t.Shape().TotalSize() != sizes[i] {
			return out, dt, fmt.Errorf("models: %v: input %d is %v %v, want %v with %d elements", op, i, t.Dtype(), t.Shape(), dt, sizes[i])
		}
		if t.RequiresIterator() {
			m, ok := t.Materialize().(*tensor.Dense)
			if !ok {
				return out, dt, fmt.Errorf("models: %v: cannot materialise input %d", op, i)
			}
			t = m
		}
		out[i] = t
	}
	return out, dt, nil
}

// denseGemm is C = op(A)·op(B) + beta·C, row-major, through gonum's blas32/blas64 (so through
// whatever internal/blas registered: OpenBLAS, or gonum's pure Go).
func denseGemm(dt tensor.Dtype, tA, tB bool, m, n, k int, a, b *tensor.Dense, lda, ldb int, beta float64, c *tensor.Dense, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	if dt == tensor.Float32 {
		blas32.Implementation().Sgemm(ta, tb, m, n, k, 1, a.Float32s(), lda, b.Float32s(), ldb, float32(beta), c.Float32s(), ldc)
		return
	}
	blas64.Implementation().Dgemm(ta, tb, m, n, k, 1, a.Float64s(), lda, b.Float64s(), ldb, beta, c.Float64s(), ldc)
}

func denseMat() G.TensorType { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }
func denseVec() G.TensorType { return G.TensorType{Dims: 1, Of: hm.TypeVariable('a')} }

func denseHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// denseOp is y = x·W + b.
type denseOp struct {
	g   denseGeom
	out denseOut
}

func (op *denseOp) Arity() int { return 3 }
func (op *denseOp) Type() hm.Type {
	return hm.NewFnType(denseMat(), denseMat(), denseVec(), denseMat())
}
func (op *denseOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.n, op.g.out}, nil
}
func (op *denseOp) ReturnsPtr() bool                  { return false }
func (op *denseOp) CallsExtern() bool                 { return false }
func (op *denseOp) OverwritesInput() int              { return -1 }
func (op *denseOp) WriteHash(h hash.Hash)             { fmt.Fprintf(h, "models.Dense(%v)", op.g) }
func (op *denseOp) Hashcode() uint32                  { return denseHash("models.Dense(" + op.g.String() + ")") }
func (op *denseOp) String() string                    { return "Dense(" + op.g.String() + ")" }
func (op *denseOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

func (op *denseOp) UsePreallocDo(_ G.Value, in ...G.Value) (G.Value, error) {
	g := op.g
	t, dt, err := denseInputs(op, in, g.n*g.in, g.in*g.out, g.out)
	if err != nil {
		return nil, err
	}
	y := op.out.get(dt, g.n, g.out)
	if dt == tensor.Float32 {
		denseFillRows(y.Float32s(), t[2].Float32s())
	} else {
		denseFillRows(y.Float64s(), t[2].Float64s())
	}
	denseGemm(dt, false, false, g.n, g.out, g.in, t[0], t[1], g.in, g.out, 1, y, g.out)
	return y, nil
}

// denseFillRows writes b into every row of y (rows of len(b)).
func denseFillRows[T float32 | float64](y, b []T) {
	for lo := 0; lo < len(y); lo += len(b) {
		copy(y[lo:lo+len(b)], b)
	}
}

func (op *denseOp) DiffWRT(int) []bool { return []bool{true, true, true} }

func (op *denseOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("models: %v: SymDiff got %d inputs, want 3", op, len(inputs))
	}
	dx, err := G.ApplyOp(&denseGradOp{g: op.g, wrt: wrtX}, grad, inputs[1])
	if err != nil {
		return nil, fmt.Errorf("models: dense dx: %w", err)
	}
	dw, err := G.ApplyOp(&denseGradOp{g: op.g, wrt: wrtW}, inputs[0], grad)
	if err != nil {
		return nil, fmt.Errorf("models: dense dW: %w", err)
	}
	db, err := G.ApplyOp(&denseGradOp{g: op.g, wrt: wrtB}, grad)
	if err != nil {
		return nil, fmt.Errorf("models: dense db: %w", err)
	}
	return G.Nodes{dx, dw, db}, nil
}

// Which gradient a denseGradOp computes.
const (
	wrtX = iota // dx = dy·Wᵀ (n×in) from (dy, W)
	wrtW        // dW = xᵀ·dy (in×out) from (x, dy)
	wrtB        // db = Σ_rows dy (out) from (dy)
)

type denseGradOp struct {
	g   denseGeom
	wrt int
	out denseOut
}

func (op *denseGradOp) Arity() int {
	if op.wrt == wrtB {
		return 1
	}
	return 2
}
func (op *denseGradOp) Type() hm.Type {
	switch op.wrt {
	case wrtB:
		return hm.NewFnType(denseMat(), denseVec())
	default:
		return hm.NewFnType(denseMat(), denseMat(), denseMat())
	}
}
func (op *denseGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.shape(), nil
}
func (op *denseGradOp) shape() tensor.Shape {
	switch op.wrt {
	case wrtX:
		return tensor.Shape{op.g.n, op.g.in}
	case wrtW:
		return tensor.Shape{op.g.in, op.g.out}
	}
	return tensor.Shape{op.g.out}
}
func (op *denseGradOp) ReturnsPtr() bool      { return false }
func (op *denseGradOp) CallsExtern() bool     { return false }
func (op *denseGradOp) OverwritesInput() int  { return -1 }
func (op *denseGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *denseGradOp) Hashcode() uint32      { return denseHash(op.String()) }
func (op *denseGradOp) String() string {
	return fmt.Sprintf("DenseGrad%c(%v)", "xWb"[op.wrt], op.g)
}
func (op *denseGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

func (op *denseGradOp) UsePreallocDo(_ G.Value, in ...G.Value) (G.Value, error) {
	g := op.g
	var sizes []int
	switch op.wrt {
	case wrtX:
		sizes = []int{g.n * g.out, g.in * g.out}
	case wrtW:
		sizes = []int{g.n * g.in, g.n * g.out}
	default:
		sizes = []int{g.n * g.out}
	}
	t, dt, err := denseInputs(op, in, sizes...)
	if err != nil {
		return nil, err
	}
	d := op.out.get(dt, op.shape()...)
	switch op.wrt {
	case wrtX: // dx (n×in) = dy (n×out) · Wᵀ
		denseGemm(dt, false, true, g.n, g.in, g.out, t[0], t[1], g.out, g.out, 0, d, g.in)
	case wrtW: // dW (in×out) = xᵀ (in×n) · dy (n×out)
		denseGemm(dt, true, false, g.in, g.out, g.n, t[0], t[1], g.in, g.out, 0, d, g.out)
	default:
		if dt == tensor.Float32 {
			denseColSums(d.Float32s(), t[0].Float32s())
		} else {
			denseColSums(d.Float64s(), t[0].Float64s())
		}
	}
	return d, nil
}

// denseColSums writes into db the sums over rows of dy (rows of len(db)), splitting the
// columns over goroutines when the matrix is large.
func denseColSums[T float32 | float64](db, dy []T) {
	cols := len(db)
	rows := len(dy) / max(cols, 1)
	sum := func(lo, hi int) {
		out := db[lo:hi]
		clear(out)
		for r := 0; r < rows; r++ {
			row := dy[r*cols+lo : r*cols+hi]
			for j, v := range row {
				out[j] += v
			}
		}
	}
	p := min(runtime.GOMAXPROCS(0), cols/64)
	if p <= 1 || rows*cols < 1<<15 {
		sum(0, cols)
		return
	}
	var wg sync.WaitGroup
	for i := range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum(i*cols/p, (i+1)*cols/p)
		}()
	}
	wg.Wait()
}
