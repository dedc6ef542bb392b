package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CausalConv1D is the dilated causal 1-D convolution of x (N×C×T) with w (O×C×K):
//
//	y[n,o,t] = Σ_k Σ_c w[o,c,k] · x[n, c, t − (K−1−k)·d],   x[·,·,τ] = 0 for τ < 0
//
// so the last tap (k = K−1) sees the present and tap k looks (K−1−k)·d steps back; y is N×O×T,
// the same length as x. Tap k with shift s is a GEMM, W_k (O×C) times the shifted view
// x[n, :, 0:T−s] accumulated into y[n, :, s:T] — no padding copy, no im2col — cut into chunks of
// time steps spread over goroutines (see the package doc). Taps with s ≥ T (T shorter than the
// look-back) contribute nothing. K = 1 gives a 1×1 convolution. Gradients:
//
//	dx[n,:,0:T−s] += W_kᵀ · dy[n,:,s:T],   dW_k = Σ_n dy[n,:,s:T] · x[n,:,0:T−s]ᵀ
//
// It returns an error for mismatched shapes or dilation < 1.
func CausalConv1D(x, w *G.Node, dilation int) (*G.Node, error) {
	return conv1d(x, w, nil, dilation)
}

// CausalConv1DBias is CausalConv1D plus a per-output-channel bias b (length O), written into y
// before the GEMMs accumulate (no extra pass); db[o] = Σ_{n,t} dy[n,o,t].
func CausalConv1DBias(x, w, b *G.Node, dilation int) (*G.Node, error) {
	return conv1d(x, w, b, dilation)
}

// CausalConv1DBiasAdd is base + CausalConv1DBias(x, w, b): the residual and skip sums of a
// WaveNet layer, y = base + W *_d x + b, with base (N×O×T) copied into y with the bias in the
// same pass the bias alone would take, so the sum costs no extra pass over memory and no
// separately allocated tensor. d base = dy.
func CausalConv1DBiasAdd(x, w, b, base *G.Node, dilation int) (*G.Node, error) {
	if b == nil || base == nil {
		return nil, fmt.Errorf("ops: CausalConv1DBiasAdd needs a bias and a base")
	}
	xs, ws := x.Shape(), w.Shape()
	if xs.Dims() == 3 && ws.Dims() == 3 {
		if want := (tensor.Shape{xs[0], ws[0], xs[2]}); !base.Shape().Eq(want) {
			return nil, fmt.Errorf("ops: CausalConv1DBiasAdd: base shape %v, want the output's %v", base.Shape(), want)
		}
	}
	return conv1dWith(x, w, b, base, dilation)
}

func conv1d(x, w, b *G.Node, dilation int) (*G.Node, error) {
	return conv1dWith(x, w, b, nil, dilation)
}

func conv1dWith(x, w, b, base *G.Node, dilation int) (*G.Node, error) {
	xs, ws := x.Shape(), w.Shape()
	switch {
	case xs.Dims() != 3 || ws.Dims() != 3:
		return nil, fmt.Errorf("ops: CausalConv1D: x %v (N×C×T) and w %v (O×C×K) must both be 3-D", xs, ws)
	case xs[1] != ws[1]:
		return nil, fmt.Errorf("ops: CausalConv1D: x has %d channels but w expects %d", xs[1], ws[1])
	case dilation < 1:
		return nil, fmt.Errorf("ops: CausalConv1D: dilation %d must be ≥ 1", dilation)
	}
	op := &conv1dOp{g: c1Geom{n: xs[0], c: xs[1], t: xs[2], o: ws[0], k: ws[2], d: dilation}, st: &slab{}}
	if b == nil {
		return G.ApplyOp(op, x, w)
	}
	if bs := b.Shape(); bs.Dims() != 1 || bs.TotalSize() != op.g.o {
		return nil, fmt.Errorf("ops: CausalConv1DBias: bias shape %v, want (%d)", bs, op.g.o)
	}
	op.g.bias = true
	if base != nil {
		op.g.add = true
		return G.ApplyOp(op, x, w, b, base)
	}
	return G.ApplyOp(op, x, w, b)
}

// c1Geom is the geometry of a causal 1-D convolution.
type c1Geom struct {
	n, c, t, o, k, d int
	bias             bool
	add              bool // a fourth input, base, is added to y (CausalConv1DBiasAdd)
}

func (g c1Geom) shift(k int) int { return (g.k - 1 - k) * g.d }
func (g c1Geom) String() string {
	return fmt.Sprintf("x=%dx%dx%d w=%dx%dx%d d=%d bias=%t add=%t", g.n, g.c, g.t, g.o, g.c, g.k, g.d, g.bias, g.add)
}

// taps repacks w (O×C×K) into K contiguous O×C matrices in dst.
func taps[T float](g c1Geom, w, dst []T) {
	for o := 0; o < g.o; o++ {
		for c := 0; c < g.c; c++ {
			for k := 0; k < g.k; k++ {
				dst[(k*g.o+o)*g.c+c] = w[(o*g.c+c)*g.k+k]
			}
		}
	}
}

type conv1dOp struct {
	g   c1Geom
	st  *slab // the repacked taps, shared with the gradient ops
	out outCache
}

func (op *conv1dOp) Arity() int {
	switch {
	case op.g.add:
		return 4
	case op.g.bias:
		return 3
	}
	return 2
}
func (op *conv1dOp) Type() hm.Type {
	t := tensorType(3)
	switch {
	case op.g.add:
		return hm.NewFnType(t, t, tensorType(1), t, t)
	case op.g.bias:
		return hm.NewFnType(t, t, tensorType(1), t)
	}
	return hm.NewFnType(t, t, t)
}
func (op *conv1dOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.n, op.g.o, op.g.t}, nil
}
func (op *conv1dOp) ReturnsPtr() bool      { return false }
func (op *conv1dOp) CallsExtern() bool     { return false }
func (op *conv1dOp) OverwritesInput() int  { return -1 }
func (op *conv1dOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "ops.CausalConv1D(%v)", op.g) }
func (op *conv1dOp) Hashcode() uint32      { return hashOf(op) }
func (op *conv1dOp) String() string {
	if op.g.add {
		return fmt.Sprintf("CausalConv1DBiasAdd(k=%d, d=%d)", op.g.k, op.g.d)
	}
	return fmt.Sprintf("CausalConv1D(k=%d, d=%d)", op.g.k, op.g.d)
}
func (op *conv1dOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

func (op *conv1dOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("ops: %v: got %d inputs, want %d", op, len(in), op.Arity())
	}
	x, w, dt, err := twoInputs(op, in[:2], 3, 3)
	if err != nil {
		return nil, err
	}
	g := op.g
	if x.Shape().TotalSize() != g.n*g.c*g.t || w.Shape().TotalSize() != g.o*g.c*g.k {
		return nil, fmt.Errorf("ops: %v: got x %v and w %v, built for %v", op, x.Shape(), w.Shape(), g)
	}
	var b, base *tensor.Dense
	if g.bias {
		if b, err = dense(in[2], dt, 1, "CausalConv1D bias"); err != nil {
			return nil, err
		}
	}
	if g.add {
		if base, err = dense(in[3], dt, 3, "CausalConv1DBiasAdd base"); err != nil {
			return nil, err
		}
		if base.Shape().TotalSize() != g.n*g.o*g.t {
			return nil, fmt.Errorf("ops: %v: got base %v, built for %v", op, base.Shape(), g)
		}
	}
	y := output(prealloc, &op.out, dt, tensor.Shape{g.n, g.o, g.t}, in...)
	if dt == tensor.Float32 {
		conv1dForward[float32](g, op.st, x, w, b, base, y)
	} else {
		conv1dForward[float64](g, op.st, x, w, b, base, y)
	}
	return y, nil
}

func conv1dForward[T float](g c1Geom, st *slab, x, w, b, base, y *tensor.Dense) {
	wk := get[T](st, g.k*g.o*g.c)
	taps(g, data[T](w), wk)
	xd, yd := data[T](x), data[T](y)
	var bias, bs []T
	if b != nil {
		bias = data[T](b)
	}
	if base != nil {
		bs = data[T](base)
	}
	cols := gemmCols(g.o, g.c)
	chunks := (g.t + cols - 1) / cols
	// One task is one sample and one chunk of output columns [c0, c1): all taps accumulate into it.
	parallelTasks(g.n*chunks, maxWorkers(), func(_, task int) {
		n, c0 := task/chunks, (task%chunks)*cols
		c1 := min(c0+cols, g.t)
		xn, yn := xd[n*g.c*g.t:], yd[n*g.o*g.t:]
		switch {
		case bs != nil:
			bn := bs[n*g.o*g.t:]
			for o := 0; o < g.o; o++ {
				addConst(yn[o*g.t+c0:o*g.t+c1], bn[o*g.t+c0:o*g.t+c1], bias[o])
			}
		case bias != nil:
			for o := 0; o < g.o; o++ {
				fill(yn[o*g.t+c0:o*g.t+c1], bias[o])
			}
		}
		// The tap with shift 0 covers all of [c0, c1) and goes first, so beta = 0 initialises it.
		for k := g.k - 1; k >= 0; k-- {
			s := g.shift(k)
			lo := max(c0, s)
			if lo >= c1 {
				continue
			}
			var beta T
			if k != g.k-1 || bias != nil {
				beta = 1
			}
			gemm(false, false, g.o, c1-lo, g.c, 1, wk[k*g.o*g.c:], g.c, xn[lo-s:], g.t, beta, yn[lo:], g.t)
		}
	})
}

func (op *conv1dOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op *conv1dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, fmt.Errorf("ops: %v: SymDiff got %d inputs, want %d", op, len(inputs), op.Arity())
	}
	dx, err := G.ApplyOp(&conv1dGradXOp{g: op.g, st: op.st}, inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("ops: CausalConv1D dx: %w", err)
	}
	dw, err := G.ApplyOp(&conv1dGradWOp{g: op.g}, inputs[0], grad)
	if err != nil {
		return nil, fmt.Errorf("ops: CausalConv1D dw: %w", err)
	}
	if !op.g.bias {
		return G.Nodes{dx, dw}, nil
	}
	db, err := G.ApplyOp(&channelSumOp{dims: 3, n: op.g.n, c: op.g.o, l: op.g.t}, grad)
	if err != nil {
		return nil, fmt.Errorf("ops: CausalConv1D db: %w", err)
	}
	if op.g.add {
		return G.Nodes{dx, dw, db, grad}, nil // d base = dy
	}
	return G.Nodes{dx, dw, db}, nil
}

// DoDiff accumulates the gradients into the inputs' dual values (used by the LispMachine).
func (op *conv1dOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	dy, err := output.Grad()
	if err != nil {
		return fmt.Errorf("ops: %v: output gradient: %w", op, err)
	}
	diffs := []struct {
		op G.Op
		in []G.Value
	}{
		{&conv1dGradXOp{g: op.g, st: op.st}, []G.Value{inputs[1].Value(), dy}},
		{&conv1dGradWOp{g: op.g}, []G.Value{inputs[0].Value(), dy}},
	}
	if op.g.bias {
		diffs = append(diffs, struct {
			op G.Op
			in []G.Value
		}{&channelSumOp{dims: 3, n: op.g.n, c: op.g.o, l: op.g.t}, []G.Value{dy}})
	}
	if err := doDiff(inputs, diffs...); err != nil {
		return err
	}
	if !op.g.add {
		return nil
	}
	gb, err := inputs[3].Grad()
	if err != nil {
		return nil // base not differentiated
	}
	t, ok := dy.(*tensor.Dense)
	if !ok {
		return fmt.Errorf("ops: %v: output gradient is a %T", op, dy)
	}
	return addInto(gb, t)
}
