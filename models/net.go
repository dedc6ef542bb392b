package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// paramInfo describes one parameter tensor of an architecture.
type paramInfo struct {
	name   string // "<layer>.W" or "<layer>.b"
	shape  tensor.Shape
	fanIn  int
	fanOut int
	init   int // initHe, initGlorot or initZero
}

const (
	initZero = iota
	initHe
	initGlorot
)

// layout lists the parameters of s (defaults applied) in the order the graphs use them.
//
//	mlp: dense0.W (D×h0), dense0.b (h0), …, out.W (h_last×K), out.b (K)
//	cnn: conv0.W (c0×C×3×3), conv0.b (c0), …, fc.W (c_last·H'·W'×FC), fc.b, out.W (FC×K), out.b
func layout(s Spec) []paramInfo {
	s = s.WithDefaults()
	var ps []paramInfo
	addDense := func(name string, in, out, init int) {
		ps = append(ps,
			paramInfo{name + ".W", tensor.Shape{in, out}, in, out, init},
			paramInfo{name + ".b", tensor.Shape{out}, in, out, initZero})
	}
	in := s.InputDim()
	if s.Arch == ArchCNN {
		c, h, w := s.C, s.H, s.W
		for i, out := range s.Conv {
			name := fmt.Sprintf("conv%d", i)
			ps = append(ps,
				paramInfo{name + ".W", tensor.Shape{out, c, 3, 3}, c * 9, out * 9, initHe},
				paramInfo{name + ".b", tensor.Shape{out}, c * 9, out * 9, initZero})
			c, h, w = out, h/2, w/2
		}
		in = c * h * w
		addDense("fc", in, s.FC, initHe)
		in = s.FC
	} else {
		for i, out := range s.Hidden {
			addDense(fmt.Sprintf("dense%d", i), in, out, initHe)
			in = out
		}
	}
	addDense("out", in, s.Classes, initGlorot)
	return ps
}

func paramCount(ps []paramInfo) int {
	n := 0
	for _, p := range ps {
		n += p.shape.TotalSize()
	}
	return n
}

// Net holds a classifier's parameters as float32 tensors. Every graph built on a Net (Trainer,
// Evaluator, InputGrad) binds these same tensors, so an optimizer step is seen by all of them at
// once. A Net and its graphs must be used by one goroutine at a time.
type Net struct {
	spec   Spec
	info   []paramInfo
	values []*tensor.Dense
}

// NewNet validates spec and creates its parameters, initialized deterministically from seed:
// weights followed by a ReLU are He-normal, N(0, 2/fan_in); the output layer is Glorot-uniform,
// U(±√(6/(fan_in+fan_out))); biases are zero. Parameter i draws from PCG(seed, i), so the same
// seed gives bit-identical weights (for a given Go release).
func NewNet(spec Spec, seed uint64) (*Net, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	spec = spec.WithDefaults()
	n := &Net{spec: spec, info: layout(spec)}
	for i, p := range n.info {
		data := make([]float32, p.shape.TotalSize())
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		switch p.init {
		case initHe:
			std := math.Sqrt(2 / float64(p.fanIn))
			for j := range data {
				data[j] = float32(rng.NormFloat64() * std)
			}
		case initGlorot:
			lim := math.Sqrt(6 / float64(p.fanIn+p.fanOut))
			for j := range data {
				data[j] = float32((2*rng.Float64() - 1) * lim)
			}
		}
		n.values = append(n.values, tensor.New(tensor.WithShape(p.shape.Clone()...), tensor.WithBacking(data)))
	}
	return n, nil
}

// Spec returns the net's spec with defaults applied.
func (n *Net) Spec() Spec { return n.spec.WithDefaults() }

// ParamCount returns the number of scalar parameters.
func (n *Net) ParamCount() int { return paramCount(n.info) }

// data returns the backing slice of parameter i.
func (n *Net) data(i int) []float32 { return n.values[i].Data().([]float32) }
