package models

import (
	"fmt"
	"math"
	"slices"
)

// Architectures a Spec can name.
const (
	ArchMLP = "mlp"
	ArchCNN = "cnn"
)

// Spec describes a classifier. Zero or empty fields take the defaults of WithDefaults.
type Spec struct {
	Arch    string // "mlp" or "cnn"
	C, H, W int    // input shape per sample (NCHW)
	Classes int
	Hidden  []int // MLP hidden widths (default 256, 256)
	Conv    []int // CNN conv channels (default 32, 64); each 3×3 pad 1 + bias, ReLU, 2×2 max-pool
	FC      int   // CNN hidden dense width (default 128)
}

// WithDefaults returns s with empty fields filled in: Hidden {256, 256}, Conv {32, 64}, FC 128.
// It copies the slices, so the result shares no memory with s.
func (s Spec) WithDefaults() Spec {
	if len(s.Hidden) == 0 {
		s.Hidden = []int{256, 256}
	} else {
		s.Hidden = slices.Clone(s.Hidden)
	}
	if len(s.Conv) == 0 {
		s.Conv = []int{32, 64}
	} else {
		s.Conv = slices.Clone(s.Conv)
	}
	if s.FC == 0 {
		s.FC = 128
	}
	return s
}

// InputDim returns C·H·W, the number of values per sample.
func (s Spec) InputDim() int { return s.C * s.H * s.W }

// maxParams bounds the parameter count so that a typo cannot ask for terabytes.
const maxParams = 1 << 28

// Validate reports the first problem with s (after WithDefaults).
func (s Spec) Validate() error {
	s = s.WithDefaults()
	if s.Arch != ArchMLP && s.Arch != ArchCNN {
		return fmt.Errorf("models: arch %q: want %q or %q", s.Arch, ArchMLP, ArchCNN)
	}
	if s.C < 1 || s.H < 1 || s.W < 1 || s.C > 1<<16 || s.H > 1<<16 || s.W > 1<<16 {
		return fmt.Errorf("models: input shape %d×%d×%d: each side must be 1..65536", s.C, s.H, s.W)
	}
	if s.Classes < 2 || s.Classes > 1<<20 {
		return fmt.Errorf("models: %d classes: want 2..%d", s.Classes, 1<<20)
	}
	widths := s.Hidden
	if s.Arch == ArchCNN {
		widths = append(slices.Clone(s.Conv), s.FC)
		h, w := s.H, s.W
		for range s.Conv {
			h, w = h/2, w/2
		}
		if h < 1 || w < 1 {
			return fmt.Errorf("models: input %d×%d is too small for %d conv+pool stages (each halves it)", s.H, s.W, len(s.Conv))
		}
	}
	for _, n := range widths {
		if n < 1 || n > 1<<20 {
			return fmt.Errorf("models: layer width %d: want 1..%d", n, 1<<20)
		}
	}
	var n float64 // in float64 so that absurd shapes cannot overflow the count
	for _, p := range layout(s) {
		k := 1.0
		for _, d := range p.shape {
			k *= float64(d)
		}
		n += k
	}
	if n > maxParams {
		return fmt.Errorf("models: %.3g parameters exceed the limit of %d", n, maxParams)
	}
	return nil
}

// OptimSpec configures the optimizer. Zero fields take the defaults of WithDefaults.
type OptimSpec struct {
	Name              string  // "adam" (default) or "sgd" (with momentum)
	LR                float64 // per step; default 1e-3 for adam, 0.05 for sgd
	Momentum          float64 // sgd; default 0.9
	Beta1, Beta2, Eps float64 // adam; defaults 0.9, 0.999, 1e-8
	WeightDecay       float64 // decoupled (AdamW) for adam, L2 added to the gradient for sgd; default 0
}

// Optimizer names an OptimSpec can hold.
const (
	OptimAdam = "adam"
	OptimSGD  = "sgd"
)

// WithDefaults returns o with zero fields replaced by their defaults.
func (o OptimSpec) WithDefaults() OptimSpec {
	if o.Name == "" {
		o.Name = OptimAdam
	}
	if o.LR == 0 {
		o.LR = 1e-3
		if o.Name == OptimSGD {
			o.LR = 0.05
		}
	}
	if o.Momentum == 0 {
		o.Momentum = 0.9
	}
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Eps == 0 {
		o.Eps = 1e-8
	}
	return o
}

// Validate reports the first problem with o (after WithDefaults).
func (o OptimSpec) Validate() error {
	o = o.WithDefaults()
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case o.Name != OptimAdam && o.Name != OptimSGD:
		return fmt.Errorf("models: optimizer %q: want %q or %q", o.Name, OptimAdam, OptimSGD)
	case !finite(o.LR) || o.LR < 0:
		return fmt.Errorf("models: learning rate %v: want a finite value >= 0", o.LR)
	case !(o.Momentum >= 0 && o.Momentum < 1):
		return fmt.Errorf("models: momentum %v: want 0 <= momentum < 1", o.Momentum)
	case !(o.Beta1 >= 0 && o.Beta1 < 1) || !(o.Beta2 >= 0 && o.Beta2 < 1):
		return fmt.Errorf("models: adam betas %v, %v: want each in [0, 1)", o.Beta1, o.Beta2)
	case !finite(o.Eps) || o.Eps <= 0:
		return fmt.Errorf("models: adam eps %v: want a finite value > 0", o.Eps)
	case !finite(o.WeightDecay) || o.WeightDecay < 0:
		return fmt.Errorf("models: weight decay %v: want a finite value >= 0", o.WeightDecay)
	}
	return nil
}
