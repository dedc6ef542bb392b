package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"
)

// WaveNetSpec configures the WaveNet encoder and its heads.
//
// The encoder maps a companded waveform x (N×1×T) to features E (N×C×T):
//
//	h₀ = W_in * x + b_in                                    (1×1)
//	for each block, for each dilation d:
//	   z = tanh(W_f *_d h + b_f) ⊙ σ(W_g *_d h + b_g)         (causal, K taps, dilation d)
//	   h ← h + W_r z + b_r,   s ← s + W_s z + b_s            (1×1 residual and skip; the last
//	                                                         layer has no residual)
//	E = relu(W_o · relu(s) + b_o)                            (1×1)
//
// Its receptive field is 1 + (K−1)·Blocks·Σ dilations samples. A classification head pools E
// over time by mean and max (N×2C), batch-normalises each of the 2C features (batch statistics in
// training, running averages in evaluation) and applies a dense layer. The self-supervised heads
// are 1×1 convolutions on E: 256 μ-law logits per step (next step), or one value per step
// (denoise, upsample) scored by mean squared error.
type WaveNetSpec struct {
	Channels  int        // residual/skip channels C (default 32)
	Blocks    int        // default 2
	Dilations []int      // per block (default 1, 2, 4, …, 64)
	Kernel    int        // taps of the dilated convolutions (default 2)
	Heads     []HeadSpec // classification heads
	SSL       []SSLKind  // self-supervised heads
}

// HeadSpec names a classification head and its number of classes.
type HeadSpec struct {
	Name    string
	Classes int
}

// SSLKind is a self-supervised task.
type SSLKind string

// The self-supervised tasks.
const (
	SSLNext     SSLKind = "next"     // next-step μ-law class, 256-way
	SSLDenoise  SSLKind = "denoise"  // noisy in, clean out (MSE)
	SSLUpsample SSLKind = "upsample" // decimated in, full rate out (MSE)
)

// MuLawClasses is the number of next-step classes.
const MuLawClasses = 256

// WithDefaults fills zero fields.
func (s WaveNetSpec) WithDefaults() WaveNetSpec {
	if s.Channels == 0 {
		s.Channels = 32
	}
	if s.Blocks == 0 {
		s.Blocks = 2
	}
	if len(s.Dilations) == 0 {
		s.Dilations = []int{1, 2, 4, 8, 16, 32, 64}
	}
	if s.Kernel == 0 {
		s.Kernel = 2
	}
	return s
}

// Validate reports a spec that cannot be built.
func (s WaveNetSpec) Validate() error {
	s = s.WithDefaults()
	switch {
	case s.Channels < 1 || s.Blocks < 1 || s.Kernel < 1:
		return fmt.Errorf("models: wavenet: channels %d, blocks %d, kernel %d must all be >= 1", s.Channels, s.Blocks, s.Kernel)
	case len(s.Heads) == 0 && len(s.SSL) == 0:
		return fmt.Errorf("models: wavenet: no heads")
	}
	for _, d := range s.Dilations {
		if d < 1 {
			return fmt.Errorf("models: wavenet: dilation %d must be >= 1", d)
		}
	}
	seen := map[string]bool{}
	for _, h := range s.Heads {
		if h.Classes < 2 || h.Name == "" || seen[h.Name] {
			return fmt.Errorf("models: wavenet: head %q with %d classes (want a new name and >= 2 classes)", h.Name, h.Classes)
		}
		seen[h.Name] = true
	}
	for _, k := range s.SSL {
		if k != SSLNext && k != SSLDenoise && k != SSLUpsample {
			return fmt.Errorf("models: wavenet: self-supervised task %q: want next, denoise or upsample", k)
		}
		if seen[string(k)] {
			return fmt.Errorf("models: wavenet: head %q twice", k)
		}
		seen[string(k)] = true
	}
	return nil
}

// ReceptiveField returns 1 + (K−1)·Blocks·Σ dilations, in samples.
func (s WaveNetSpec) ReceptiveField() int {
	s = s.WithDefaults()
	sum := 0
	for _, d := range s.Dilations {
		sum += d
	}
	return 1 + (s.Kernel-1)*s.Blocks*sum
}

// wnLayout lists the parameters: the encoder first, then each classification head, then each
// self-supervised head.
func wnLayout(s WaveNetSpec) []paramInfo {
	s = s.WithDefaults()
	c, k := s.Channels, s.Kernel
	var ps []paramInfo
	conv := func(name string, out, in, taps, init int) {
		ps = append(ps,
			paramInfo{name + ".W", tensor.Shape{out, in, taps}, in * taps, out * taps, init},
			paramInfo{name + ".b", tensor.Shape{out}, in * taps, out * taps, initZero})
	}
	conv("in", c, 1, 1, initGlorot)
	for b := 0; b < s.Blocks; b++ {
		for l, d := range s.Dilations {
			p := fmt.Sprintf("b%dd%d.", b, d)
			conv(p+"f", c, c, k, initGlorot)
			conv(p+"g", c, c, k, initGlorot)
			if !lastLayer(s, b, l) {
				conv(p+"r", c, c, 1, initGlorot)
			}
			conv(p+"s", c, c, 1, initGlorot)
		}
	}
	conv("post", c, c, 1, initHe)
	for _, h := range s.Heads {
		ps = append(ps,
			paramInfo{"head." + h.Name + ".W", tensor.Shape{2 * c, h.Classes}, 2 * c, h.Classes, initGlorot},
			paramInfo{"head." + h.Name + ".b", tensor.Shape{h.Classes}, 2 * c, h.Classes, initZero})
	}
	for _, kind := range s.SSL {
		out := 1
		if kind == SSLNext {
			out = MuLawClasses
		}
		conv("ssl."+string(kind), out, c, 1, initGlorot)
	}
	return ps
}

// encoderParams is the number of parameter tensors of the encoder.
func encoderParams(s WaveNetSpec) int { return 2 + 8*s.Blocks*len(s.Dilations) - 2 + 2 }

// lastLayer reports whether layer l of block b is the encoder's last, whose residual output
// nothing reads (so it has no residual convolution).
func lastLayer(s WaveNetSpec, b, l int) bool { return b == s.Blocks-1 && l == len(s.Dilations)-1 }

// WaveNet holds the encoder's and heads' parameters (float32) and the running feature statistics
// of each classification head. Graphs built on it bind the same tensors.
type WaveNet struct {
	spec   WaveNetSpec
	info   []paramInfo
	values []*tensor.Dense
	bnMean map[string][]float32 // per head: running mean of the 2C pooled features
	bnVar  map[string][]float32
}

// NewWaveNet validates spec and initialises the parameters from seed (parameter i from
// PCG(seed, i)): Glorot-uniform weights, He-normal for the layer before a ReLU, zero biases.
func NewWaveNet(spec WaveNetSpec, seed uint64) (*WaveNet, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	spec = spec.WithDefaults()
	spec.Heads, spec.SSL, spec.Dilations = slices.Clone(spec.Heads), slices.Clone(spec.SSL), slices.Clone(spec.Dilations)
	n := &WaveNet{spec: spec, info: wnLayout(spec), bnMean: map[string][]float32{}, bnVar: map[string][]float32{}}
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
	for _, h := range spec.Heads {
		n.bnMean[h.Name] = make([]float32, 2*spec.Channels)
		v := make([]float32, 2*spec.Channels)
		for i := range v {
			v[i] = 1
		}
		n.bnVar[h.Name] = v
	}
	return n, nil
}

// Spec returns the spec with defaults applied.
func (n *WaveNet) Spec() WaveNetSpec { return n.spec }

// ParamCount returns the number of scalar parameters.
func (n *WaveNet) ParamCount() int { return paramCount(n.info) }

// CopyEncoderFrom copies the encoder parameters (not the heads) of src into n; both must have
// the same channels, blocks, dilations and kernel. Used to fine-tune a pretrained encoder.
func (n *WaveNet) CopyEncoderFrom(src *WaveNet) error {
	k := encoderParams(n.spec)
	if encoderParams(src.spec) != k {
		return fmt.Errorf("models: wavenet: encoders differ in shape")
	}
	for i := 0; i < k; i++ {
		if !n.info[i].shape.Eq(src.info[i].shape) {
			return fmt.Errorf("models: wavenet: encoder parameter %s is %v in the source, %v here", n.info[i].name, src.info[i].shape, n.info[i].shape)
		}
		copy(n.values[i].Data().([]float32), src.values[i].Data().([]float32))
	}
	return nil
}

// paramIndex returns the index of the parameter called name, or −1.
func (n *WaveNet) paramIndex(name string) int {
	for i, p := range n.info {
		if p.name == name {
			return i
		}
	}
	return -1
}
