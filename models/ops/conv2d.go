package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D is the 2-D cross-correlation of x (N×C×H×W) with w (O×C×KH×KW), zero padding pad and
// stride stride on both axes, in NCHW layout in and out:
//
//	y[n,o,i,j] = Σ_c Σ_ki Σ_kj w[o,c,ki,kj] · x[n, c, i·s−p+ki, j·s−p+kj]   (x = 0 outside)
//
// with OH = (H+2p−KH)/s + 1 and OW = (W+2p−KW)/s + 1. It is computed as im2col and GEMMs W·col
// through gonum's blas32/blas64, so through the BLAS internal/blas registered: one GEMM per
// sample (y_n = W·col_n is already NCHW) when each is small enough for OpenBLAS to run it on the
// calling thread, spread over GOMAXPROCS goroutines; otherwise one GEMM over the batch (or over
// groups of samples for very large batches), whose O×N·L result is copied to NCHW. Gradients:
// dx = col2im(Wᵀ·dY), dW = dY·colᵀ (= Σ_n dy_n·col_nᵀ), reusing the forward's column matrix. It
// returns an error for mismatched shapes, a non-positive stride, a negative pad or an empty
// output.
func Conv2D(x, w *G.Node, pad, stride int) (*G.Node, error) {
	return conv2d(x, w, nil, pad, stride)
}

// Conv2DBias is Conv2D plus a per-output-channel bias b (length O): y[n,o,i,j] += b[o], written
// before the per-sample GEMM (β = 1) or added while the batched result is copied to NCHW (no
// extra pass); db[o] = Σ_{n,i,j} dy[n,o,i,j].
func Conv2DBias(x, w, b *G.Node, pad, stride int) (*G.Node, error) {
	return conv2d(x, w, b, pad, stride)
}

func conv2d(x, w, b *G.Node, pad, stride int) (*G.Node, error) {
	xs, ws := x.Shape(), w.Shape()
	switch {
	case xs.Dims() != 4 || ws.Dims() != 4:
		return nil, fmt.Errorf("ops: Conv2D: x %v and w %v must both be 4-D (NCHW, OCHW)", xs, ws)
	case xs[1] != ws[1]:
		return nil, fmt.Errorf("ops: Conv2D: x has %d channels but w expects %d", xs[1], ws[1])
	case stride < 1 || pad < 0:
		return nil, fmt.Errorf("ops: Conv2D: stride %d must be ≥ 1 and pad %d ≥ 0", stride, pad)
	}
	g := newConvGeom(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], pad, stride)
	if g.OH < 1 || g.OW < 1 {
		return nil, fmt.Errorf("ops: Conv2D: kernel %dx%d with pad %d does not fit a %dx%d image", g.KH, g.KW, pad, g.H, g.W)
	}
	op := &conv2dOp{g: g, st: &conv2dState{}}
	if b == nil {
		return G.ApplyOp(op, x, w)
	}
	if bs := b.Shape(); bs.TotalSize() != g.O || bs.Dims() != 1 {
		return nil, fmt.Errorf("ops: Conv2DBias: bias shape %v, want (%d)", bs, g.O)
	}
	op.g.withBias = true
	return G.ApplyOp(op, x, w, b)
}

// conv2dState is shared by a Conv2D node and its gradient nodes: the forward's column matrix and
// scratch space, kept across steps.
type conv2dState struct {
	gen     uint64  // forward runs so far
	col     slab    // batched: the last forward's column matrix, R × gs·L per group; perSample: one R × L per worker
	colGen  uint64  // gen when col was built
	colFrom uintptr // address of the x it was built from
	dcol    slab    // dx's column matrix, one group at a time (perSample: one R × L per worker)
	dwPart  slab    // perSample: one O × R partial dW per worker
	cnl     slab    // batched: one group's GEMM output (forward), dy in group layout (backward)
	cnlGen  uint64  // gen for which cnl holds dy
	cnlFrom uintptr // address of that dy
}

type conv2dOp struct {
	g   convGeom
	st  *conv2dState
	out outCache
}

func (op *conv2dOp) Arity() int {
	if op.g.withBias {
		return 3
	}
	return 2
}

func (op *conv2dOp) Type() hm.Type {
	t := tensorType(4)
	if op.g.withBias {
		return hm.NewFnType(t, t, tensorType(1), t)
	}
	return hm.NewFnType(t, t, t)
}

func (op *conv2dOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.N, op.g.O, op.g.OH, op.g.OW}, nil
}

func (op *conv2dOp) ReturnsPtr() bool     { return false }
func (op *conv2dOp) CallsExtern() bool    { return false }
func (op *conv2dOp) OverwritesInput() int { return -1 }
func (op *conv2dOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "ops.Conv2D(%v, bias=%t)", op.g.key(), op.g.withBias)
}
func (op *conv2dOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv2dOp) String() string {
	return fmt.Sprintf("Conv2D(%dx%d, pad=%d, stride=%d)", op.g.KH, op.g.KW, op.g.Pad, op.g.Stride)
}

func (g convGeom) key() string {
	return fmt.Sprintf("x=%dx%dx%dx%d w=%dx%dx%dx%d p=%d s=%d", g.N, g.C, g.H, g.W, g.O, g.C, g.KH, g.KW, g.Pad, g.Stride)
}

func (op *conv2dOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

func (op *conv2dOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	if len(inputs) != op.Arity() {
		return nil, fmt.Errorf("ops: %v: got %d inputs, want %d", op, len(inputs), op.Arity())
	}
	dt, err := dtypeOf(inputs[0])
	if err != nil {
		return nil, err
	}
	x, err := dense(inputs[0], dt, 4, "Conv2D x")
	if err != nil {
		return nil, err
	}
	w, err := dense(inputs[1], dt, 4, "Conv2D w")
	if err != nil {
		return nil, err
	}
	g := op.g
	if x.Shape().TotalSize() != g.xSize || w.Shape().TotalSize() != g.O*g.rows {
		return nil, fmt.Errorf("ops: %v: got x %v and w %v, built for %s", op, x.Shape(), w.Shape(), g.key())
	}
	var b *tensor.Dense
	if g.withBias {
		if b, err = dense(inputs[2], dt, 1, "Conv2D bias"); err != nil {
			return nil, err
		}
	}
	y := output(prealloc, &op.out, dt, tensor.Shape{g.N, g.O, g.OH, g.OW}, inputs...)
	if dt == tensor.Float32 {
		conv2dForward[float32](g, op.st, x, w, b, y)
	} else {
		conv2dForward[float64](g, op.st, x, w, b, y)
	}
	return y, nil
}

func conv2dForward[T float](g convGeom, st *conv2dState, x, w, b, y *tensor.Dense) {
	L, cs := g.outPlane, g.C*g.H*g.W
	xd, wd, yd := data[T](x), data[T](w), data[T](y)
	st.gen++
	st.colGen, st.colFrom = st.gen, x.Uintptr()
	var bias []T
	if b != nil {
		bias = data[T](b)
	}
	if g.perSample {
		// Per sample n: its column block (R×L, in this worker's block) and y_n = W·col_n
		// (+ bias rows written first, then β = 1), while the block is in cache. The blocks are
		// not kept: conv2dBackwardW rebuilds each sample's (in cache again) rather than read
		// N·R·L floats back from memory.
		workers := maxWorkers()
		colw := get[T](&st.col, workers*g.rows*L)
		st.colGen = 0
		g.samplesRun(func() {
			parallelTasks(g.N, workers, func(wk, n int) {
				cn := colw[wk*g.rows*L:][:g.rows*L]
				im2colSample(g, xd[n*cs:][:cs], cn, L)
				yn := yd[n*g.O*L:][:g.O*L]
				var beta T
				if bias != nil {
					for o, v := range bias {
						fill(yn[o*L:][:L], v)
					}
					beta = 1
				}
				gemm(false, false, g.O, L, g.rows, 1, wd, g.rows, cn, L, beta, yn, L)
			})
		})
		return
	}
	// Batched, group by group: the column block of samples [s0, s1) is R × gs·L (sample n in
	// columns (n−s0)·L…), one GEMM gives O × gs·L, which is copied to NCHW with the bias.
	col := get[T](&st.col, g.rows*g.N*L)
	var cnl []T
	for s0 := 0; s0 < g.N; s0 += g.group {
		gs := min(g.group, g.N-s0)
		ld := gs * L
		cg := col[s0*g.rows*L:][:g.rows*ld]
		parallelFor(gs, g.rows*L, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				im2colSample(g, xd[(s0+n)*cs:][:cs], cg[n*L:], ld)
			}
		})
		yg := yd[s0*g.O*L:][:g.O*ld]
		if gs == 1 && bias == nil { // O × L is this sample's NCHW block
			gemm(false, false, g.O, ld, g.rows, 1, wd, g.rows, cg, ld, 0, yg, ld)
			continue
		}
		if cnl == nil {
			cnl = get[T](&st.cnl, g.O*g.group*L)
		}
		gemm(false, false, g.O, ld, g.rows, 1, wd, g.rows, cg, ld, 0, cnl, ld)
		parallelFor(gs, g.O*L, func(lo, hi int) { cnlToNCL(gs, g.O, L, cnl, yg, bias, lo, hi) })
	}
	st.cnlGen = 0 // cnl no longer holds a dy
}

// dyCNL returns dy in the batched path's group layout (group [s0, s1) at s0·O·L, O × gs·L),
// building it once per step for both gradient ops. With groups of one sample that layout is
// NCHW itself, and dy is returned as it is.
func dyCNL[T float](g convGeom, st *conv2dState, dy *tensor.Dense) []T {
	d := data[T](dy)
	if g.group == 1 {
		return d
	}
	cnl := get[T](&st.cnl, g.O*g.N*g.outPlane)
	if st.cnlGen == st.gen && st.cnlFrom == dy.Uintptr() && st.gen != 0 {
		return cnl
	}
	L := g.outPlane
	parallelFor(g.N, g.O*L, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			s0 := n / g.group * g.group
			gs := min(g.group, g.N-s0)
			nclToCNL(gs, g.O, L, d[s0*g.O*L:], cnl[s0*g.O*L:], n-s0, n-s0+1)
		}
	})
	st.cnlGen, st.cnlFrom = st.gen, dy.Uintptr()
	return cnl
}

func (op *conv2dOp) DiffWRT(inputs int) []bool {
	d := make([]bool, inputs)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op *conv2dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != op.Arity() {
		return nil, fmt.Errorf("ops: %v: SymDiff got %d inputs, want %d", op, len(inputs), op.Arity())
	}
	dx, err := G.ApplyOp(&conv2dGradXOp{g: op.g, st: op.st}, inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Conv2D dx: %w", err)
	}
	dw, err := G.ApplyOp(&conv2dGradWOp{g: op.g, st: op.st}, inputs[0], grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Conv2D dw: %w", err)
	}
	if !op.g.withBias {
		return G.Nodes{dx, dw}, nil
	}
	db, err := G.ApplyOp(&channelSumOp{dims: 4, n: op.g.N, c: op.g.O, l: op.g.outPlane}, grad)
	if err != nil {
		return nil, fmt.Errorf("ops: Conv2D db: %w", err)
	}
	return G.Nodes{dx, dw, db}, nil
}

// DoDiff accumulates the gradients into the inputs' dual values (used by the LispMachine).
func (op *conv2dOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	dy, err := output.Grad()
	if err != nil {
		return fmt.Errorf("ops: %v: output gradient: %w", op, err)
	}
	gx := &conv2dGradXOp{g: op.g, st: op.st}
	gw := &conv2dGradWOp{g: op.g, st: op.st}
	diffs := []struct {
		op G.Op
		in []G.Value
	}{{gx, []G.Value{inputs[1].Value(), dy}}, {gw, []G.Value{inputs[0].Value(), dy}}}
	if op.g.withBias {
		diffs = append(diffs, struct {
			op G.Op
			in []G.Value
		}{&channelSumOp{dims: 4, n: op.g.N, c: op.g.O, l: op.g.outPlane}, []G.Value{dy}})
	}
	return doDiff(inputs, diffs...)
}

// doDiff runs each gradient op and adds its result into the matching input's gradient.
func doDiff(inputs G.Nodes, diffs ...struct {
	op G.Op
	in []G.Value
}) error {
	for i, d := range diffs {
		v, err := d.op.Do(d.in...)
		if err != nil {
			return err
		}
		gi, err := inputs[i].Grad()
		if err != nil {
			continue // not differentiated (no dual value)
		}
		t, ok := v.(*tensor.Dense)
		if !ok {
			return fmt.Errorf("ops: %v returned %T", d.op, v)
		}
		if err := addInto(gi, t); err != nil {
			return err
		}
	}
	return nil
}
