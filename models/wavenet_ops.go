package models

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Two Gorgonia ops the WaveNet needs beyond models/ops: mean-and-max pooling over time, and a
// softmax cross-entropy per time step with integer targets. Both work in float32 and float64.

type wfloat interface{ ~float32 | ~float64 }

func ttype(dims int) G.TensorType { return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

func ophash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func denseOf(v G.Value, what string) (*tensor.Dense, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("models: %s: want *tensor.Dense, got %T", what, v)
	}
	if t.RequiresIterator() {
		t = t.Materialize().(*tensor.Dense)
	}
	return t, nil
}

// poolMeanMax pools x (N×C×T) over time into N×2C: columns 0…C−1 hold the means
// (1/T)·Σ_t x[n,c,t], columns C…2C−1 the maxima max_t x[n,c,t]. Its gradient is
//
//	dx[n,c,t] = dy[n,c]/T + dy[n,C+c]·[t = argmax_t x[n,c,t]]   (first maximum on ties).
func poolMeanMax(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, fmt.Errorf("models: poolMeanMax: x %v, want N×C×T", s)
	}
	return G.ApplyOp(&poolOp{n: s[0], c: s[1], t: s[2]}, x)
}

type poolOp struct{ n, c, t int }

func (op *poolOp) Arity() int    { return 1 }
func (op *poolOp) Type() hm.Type { return hm.NewFnType(ttype(3), ttype(2)) }
func (op *poolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.n, 2 * op.c}, nil
}
func (op *poolOp) ReturnsPtr() bool      { return false }
func (op *poolOp) CallsExtern() bool     { return false }
func (op *poolOp) OverwritesInput() int  { return -1 }
func (op *poolOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *poolOp) Hashcode() uint32      { return ophash(op.String()) }
func (op *poolOp) String() string        { return fmt.Sprintf("PoolMeanMax(%d,%d,%d)", op.n, op.c, op.t) }

func (op *poolOp) Do(in ...G.Value) (G.Value, error) {
	x, err := denseOf(in[0], "PoolMeanMax")
	if err != nil {
		return nil, err
	}
	y := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(op.n, 2*op.c))
	switch d := x.Data().(type) {
	case []float32:
		poolFwd(op, d, y.Data().([]float32))
	case []float64:
		poolFwd(op, d, y.Data().([]float64))
	default:
		return nil, fmt.Errorf("models: PoolMeanMax: dtype %v", x.Dtype())
	}
	return y, nil
}

func poolFwd[T wfloat](op *poolOp, x, y []T) {
	for n := 0; n < op.n; n++ {
		for c := 0; c < op.c; c++ {
			row := x[(n*op.c+c)*op.t:][:op.t]
			var s float64
			m := row[0]
			for _, v := range row {
				s += float64(v)
				if v > m {
					m = v
				}
			}
			y[n*2*op.c+c] = T(s / float64(op.t))
			y[n*2*op.c+op.c+c] = m
		}
	}
}

func (op *poolOp) DiffWRT(int) []bool { return []bool{true} }

func (op *poolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&poolGradOp{op}, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

func (op *poolOp) DoDiff(G.ExecutionContext, G.Nodes, *G.Node) error {
	return fmt.Errorf("models: PoolMeanMax: DoDiff is not supported (use a TapeMachine)")
}

type poolGradOp struct{ p *poolOp }

func (op *poolGradOp) Arity() int { return 2 }
func (op *poolGradOp) Type() hm.Type {
	return hm.NewFnType(ttype(3), ttype(2), ttype(3))
}
func (op *poolGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.p.n, op.p.c, op.p.t}, nil
}
func (op *poolGradOp) ReturnsPtr() bool      { return false }
func (op *poolGradOp) CallsExtern() bool     { return false }
func (op *poolGradOp) OverwritesInput() int  { return -1 }
func (op *poolGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *poolGradOp) Hashcode() uint32      { return ophash(op.String()) }
func (op *poolGradOp) String() string        { return "Grad" + op.p.String() }

func (op *poolGradOp) Do(in ...G.Value) (G.Value, error) {
	x, err := denseOf(in[0], "PoolMeanMaxGrad")
	if err != nil {
		return nil, err
	}
	dy, err := denseOf(in[1], "PoolMeanMaxGrad")
	if err != nil {
		return nil, err
	}
	dx := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(op.p.n, op.p.c, op.p.t))
	switch d := x.Data().(type) {
	case []float32:
		poolBwd(op.p, d, dy.Data().([]float32), dx.Data().([]float32))
	case []float64:
		poolBwd(op.p, d, dy.Data().([]float64), dx.Data().([]float64))
	}
	return dx, nil
}

func poolBwd[T wfloat](op *poolOp, x, dy, dx []T) {
	for n := 0; n < op.n; n++ {
		for c := 0; c < op.c; c++ {
			off := (n*op.c + c) * op.t
			row, drow := x[off:][:op.t], dx[off:][:op.t]
			g := dy[n*2*op.c+c] / T(op.t)
			am := 0
			for t, v := range row {
				drow[t] = g
				if v > row[am] {
					am = t
				}
			}
			drow[am] += dy[n*2*op.c+op.c+c]
		}
	}
}

// stepXent is the mean softmax cross-entropy over the valid time steps of z (N×K×T) with
// integer targets y (N×T, stored as floats; y < 0 marks a step to ignore):
//
//	loss = (1/M) Σ_{n,t: y≥0} [ lse(z[n,:,t]) − z[n,y[n,t],t] ],   M = #{(n,t): y[n,t] ≥ 0}
//	dz[n,k,t] = (softmax(z[n,:,t])_k − [k = y[n,t]]) / M   on valid steps, 0 elsewhere.
func stepXent(z, y *G.Node) (*G.Node, error) {
	zs, ys := z.Shape(), y.Shape()
	if zs.Dims() != 3 || ys.Dims() != 2 || zs[0] != ys[0] || zs[2] != ys[1] {
		return nil, fmt.Errorf("models: stepXent: logits %v (N×K×T) and targets %v (N×T) disagree", zs, ys)
	}
	return G.ApplyOp(&stepXentOp{n: zs[0], k: zs[1], t: zs[2]}, z, y)
}

type stepXentOp struct{ n, k, t int }

func (op *stepXentOp) Arity() int    { return 2 }
func (op *stepXentOp) Type() hm.Type { return hm.NewFnType(ttype(3), ttype(2), hm.TypeVariable('a')) }
func (op *stepXentOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *stepXentOp) ReturnsPtr() bool      { return false }
func (op *stepXentOp) CallsExtern() bool     { return false }
func (op *stepXentOp) OverwritesInput() int  { return -1 }
func (op *stepXentOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *stepXentOp) Hashcode() uint32      { return ophash(op.String()) }
func (op *stepXentOp) String() string        { return fmt.Sprintf("StepXent(%d,%d,%d)", op.n, op.k, op.t) }

func (op *stepXentOp) Do(in ...G.Value) (G.Value, error) {
	z, err := denseOf(in[0], "StepXent")
	if err != nil {
		return nil, err
	}
	y, err := denseOf(in[1], "StepXent")
	if err != nil {
		return nil, err
	}
	switch d := z.Data().(type) {
	case []float32:
		return G.NewF32(float32(stepXentRun(op, d, y.Data().([]float32), nil, 0))), nil
	case []float64:
		return G.NewF64(stepXentRun(op, d, y.Data().([]float64), nil, 0)), nil
	}
	return nil, fmt.Errorf("models: StepXent: dtype %v", z.Dtype())
}

// stepXentRun returns the loss and, when dz is not nil, writes g·dz into it.
func stepXentRun[T wfloat](op *stepXentOp, z, y, dz []T, g float64) float64 {
	m := 0
	for _, v := range y {
		if v >= 0 {
			m++
		}
	}
	if dz != nil {
		clear(dz)
	}
	if m == 0 {
		return 0
	}
	var loss float64
	e := make([]float64, op.k)
	for n := 0; n < op.n; n++ {
		zb := z[n*op.k*op.t:]
		for t := 0; t < op.t; t++ {
			lbl := int(y[n*op.t+t])
			if lbl < 0 || lbl >= op.k {
				continue
			}
			mx := math.Inf(-1)
			for k := 0; k < op.k; k++ {
				mx = math.Max(mx, float64(zb[k*op.t+t]))
			}
			var se float64
			for k := 0; k < op.k; k++ {
				e[k] = math.Exp(float64(zb[k*op.t+t]) - mx)
				se += e[k]
			}
			loss += mx + math.Log(se) - float64(zb[lbl*op.t+t])
			if dz != nil {
				db := dz[n*op.k*op.t:]
				s := g / float64(m)
				for k := 0; k < op.k; k++ {
					db[k*op.t+t] = T(s * e[k] / se)
				}
				db[lbl*op.t+t] -= T(s)
			}
		}
	}
	return loss / float64(m)
}

func (op *stepXentOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *stepXentOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz, err := G.ApplyOp(&stepXentGradOp{op}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dz, nil}, nil
}

func (op *stepXentOp) DoDiff(G.ExecutionContext, G.Nodes, *G.Node) error {
	return fmt.Errorf("models: StepXent: DoDiff is not supported (use a TapeMachine)")
}

type stepXentGradOp struct{ p *stepXentOp }

func (op *stepXentGradOp) Arity() int { return 3 }
func (op *stepXentGradOp) Type() hm.Type {
	return hm.NewFnType(ttype(3), ttype(2), hm.TypeVariable('a'), ttype(3))
}
func (op *stepXentGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.p.n, op.p.k, op.p.t}, nil
}
func (op *stepXentGradOp) ReturnsPtr() bool      { return false }
func (op *stepXentGradOp) CallsExtern() bool     { return false }
func (op *stepXentGradOp) OverwritesInput() int  { return -1 }
func (op *stepXentGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *stepXentGradOp) Hashcode() uint32      { return ophash(op.String()) }
func (op *stepXentGradOp) String() string        { return "Grad" + op.p.String() }

func (op *stepXentGradOp) Do(in ...G.Value) (G.Value, error) {
	z, err := denseOf(in[0], "StepXentGrad")
	if err != nil {
		return nil, err
	}
	y, err := denseOf(in[1], "StepXentGrad")
	if err != nil {
		return nil, err
	}
	g := scalar(in[2])
	dz := tensor.New(tensor.Of(z.Dtype()), tensor.WithShape(op.p.n, op.p.k, op.p.t))
	switch d := z.Data().(type) {
	case []float32:
		stepXentRun(op.p, d, y.Data().([]float32), dz.Data().([]float32), g)
	case []float64:
		stepXentRun(op.p, d, y.Data().([]float64), dz.Data().([]float64), g)
	}
	return dz, nil
}
