package ops

import (
	"fmt"
	"hash"
	"math"

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

// maxPoolForward writes each window's maximum and its in-plane index. It compares integer keys
// made from the float bits (poolKey32, poolKey64), selecting with integer masks rather than
// branches: float compares in Go are branches, and on random data the old compare chain
// mispredicted often enough to cost 11 ns per window, against 5.9 ns now (64×32×28×28 on one
// core: 4.46 → 2.35 ms). The tie rule is as before: the first of the four positions (row-major)
// wins among equal values, +0 and −0 are equal, and the first NaN wins over everything.
// float32 planes run in AVX2 where the CPU has it (maxPoolPlaneAVX2: the same keys and masks,
// eight windows at a time), 5× faster: 2.35 → 0.47 ms for 64×32×28×28 and 1.22 → 0.22 ms for
// 64×64×14×14 on one core (GOMAXPROCS=1 go test -tags openblas -bench KernelMaxPool).
// Measured one after the other with the scalar-only version, on the bench's workloads: CNN train
// 3,860–3,890 → 4,300–4,420 samples/s, PGD 5,400–5,450 → 6,220–6,340 (2 cores).
func maxPoolForward[T float](p poolGeom, x, y []T, argmax []int32) {
	switch xv := any(x).(type) {
	case []float32:
		yv := any(y).([]float32)
		parallelFor(p.n*p.c, p.h*p.w, func(lo, hi int) { maxPoolForward32(p, xv, yv, argmax, lo, hi) })
	case []float64:
		yv := any(y).([]float64)
		parallelFor(p.n*p.c, p.h*p.w, func(lo, hi int) { maxPoolForward64(p, xv, yv, argmax, lo, hi) })
	}
}

// poolKey32 maps a float32 to an int32 that orders like the float, except that −0 and +0 map
// to the same key and every NaN maps to MaxInt32 (above +Inf): key = ±|bits| with the float's
// sign, then NaNs replaced without a branch.
func poolKey32(v float32) int32 {
	b := int32(math.Float32bits(v))
	mag := b & 0x7fffffff
	s := b >> 31       // all ones for a negative v
	k := (mag ^ s) - s // −mag for a negative v
	nan := (0x7f800000 - mag) >> 31
	return k&^nan | nan&0x7fffffff
}

// poolKey64 is poolKey32 for float64.
func poolKey64(v float64) int64 {
	b := int64(math.Float64bits(v))
	mag := b & 0x7fffffffffffffff
	s := b >> 63
	k := (mag ^ s) - s
	nan := (0x7ff0000000000000 - mag) >> 63
	return k&^nan | nan&0x7fffffffffffffff
}

// maxPoolForward32 runs planes [lo, hi): in AVX2 where it can (maxPoolPlaneFast), else with the
// scalar maxPoolPlane32.
func maxPoolForward32(p poolGeom, x, y []float32, argmax []int32, lo, hi int) {
	oh, ow := p.oh(), p.ow()
	for pl := lo; pl < hi; pl++ {
		out := y[pl*oh*ow:][:oh*ow]
		arg := argmax[pl*oh*ow:][:oh*ow]
		if !maxPoolPlaneFast(p, x, pl*p.h*p.w, out, arg) {
			maxPoolPlane32(p, x[pl*p.h*p.w:][:p.h*p.w], out, arg)
		}
	}
}

// maxPoolPlane32 is maxPoolForward32's scalar loop for one plane img. It picks the first maximum
// of each window with masks instead of compares: for keys k, k' (int64, so k − k' cannot
// overflow) (k − k') >> 63 is all ones iff k' > k. The top pair's and the bottom pair's first
// maxima are found first, and the bottom one wins only if it is strictly greater, which gives
// the first maximum in the order a, b, c, d.
func maxPoolPlane32(p poolGeom, img, out []float32, arg []int32) {
	oh, ow, w := p.oh(), p.ow(), int64(p.w)
	for i := 0; i < oh; i++ {
		r0 := img[2*i*p.w:][:2*ow]
		r1 := img[(2*i+1)*p.w:][:2*ow]
		o := out[i*ow:][:ow]
		g := arg[i*ow:][:ow]
		base := int64(2 * i * p.w)
		for j := range o {
			k0, k1 := int64(poolKey32(r0[2*j])), int64(poolKey32(r0[2*j+1]))
			k2, k3 := int64(poolKey32(r1[2*j])), int64(poolKey32(r1[2*j+1]))
			m := (k0 - k1) >> 63 // k1 > k0
			kt, ot := k0^((k0^k1)&m), 1&m
			m = (k2 - k3) >> 63 // k3 > k2
			kb, ob := k2^((k2^k3)&m), w+(1&m)
			m = (kt - kb) >> 63 // bottom > top
			at := base + int64(2*j) + (ot ^ ((ot ^ ob) & m))
			o[j], g[j] = img[at], int32(at)
		}
	}
}

// maxPoolForward64 is the float64 version (used by the gradient tests), with plain selects.
func maxPoolForward64(p poolGeom, x, y []float64, argmax []int32, lo, hi int) {
	oh, ow := p.oh(), p.ow()
	for pl := lo; pl < hi; pl++ {
		img := x[pl*p.h*p.w:][:p.h*p.w]
		out := y[pl*oh*ow:][:oh*ow]
		arg := argmax[pl*oh*ow:][:oh*ow]
		for i := 0; i < oh; i++ {
			r0 := img[2*i*p.w:][:2*ow]
			r1 := img[(2*i+1)*p.w:][:2*ow]
			o := out[i*ow:][:ow]
			g := arg[i*ow:][:ow]
			base := 2 * i * p.w
			for j := range o {
				best, off := poolKey64(r0[2*j]), 0
				if k := poolKey64(r0[2*j+1]); k > best {
					best, off = k, 1
				}
				if k := poolKey64(r1[2*j]); k > best {
					best, off = k, p.w
				}
				if k := poolKey64(r1[2*j+1]); k > best {
					off = p.w + 1
				}
				at := base + 2*j + off
				o[j], g[j] = img[at], int32(at)
			}
		}
	}
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
