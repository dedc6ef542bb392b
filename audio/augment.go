package audio

import (
	"math"
	"math/rand/v2"
)

// Augment holds the random augmentations applied to a labelled training clip. Zero values turn
// each one off.
type Augment struct {
	MaxGain  float64 // gain drawn log-uniformly from [1/MaxGain, MaxGain]; ≤ 1: off
	MaxShift int     // time shift in samples, uniform in [−MaxShift, MaxShift], zero filled
	MaxSpeed float64 // resampling factor uniform in [1−MaxSpeed, 1+MaxSpeed] (speed and pitch)
	SNRLo    float64 // white noise at an SNR uniform in [SNRLo, SNRHi] dB; off when SNRHi <= 0
	SNRHi    float64
}

// Apply writes an augmented copy of src into dst (same length), drawing from rng. It panics if
// the lengths differ.
func (a Augment) Apply(dst, src []float32, rng *rand.Rand) {
	if len(dst) != len(src) {
		panic("audio: Augment.Apply: dst and src lengths differ")
	}
	copy(dst, src)
	if a.MaxSpeed > 0 {
		Resample(dst, src, 1+a.MaxSpeed*(2*rng.Float64()-1))
	}
	if a.MaxShift > 0 {
		Shift(dst, rng.IntN(2*a.MaxShift+1)-a.MaxShift)
	}
	if a.MaxGain > 1 {
		g := float32(math.Exp(math.Log(a.MaxGain) * (2*rng.Float64() - 1)))
		for i := range dst {
			dst[i] = clamp1(dst[i] * g)
		}
	}
	if a.SNRHi > 0 {
		AddNoise(dst, a.SNRLo+(a.SNRHi-a.SNRLo)*rng.Float64(), rng)
	}
}

func clamp1(v float32) float32 { return min(max(v, -1), 1) }

// Resample writes src played at factor r (r > 1: faster and higher) into dst by linear
// interpolation: dst[i] = src(i·r), zero past the end of src. It panics if r <= 0.
func Resample(dst, src []float32, r float64) {
	if !(r > 0) {
		panic("audio: Resample: factor must be > 0")
	}
	for i := range dst {
		p := float64(i) * r
		j := int(p)
		if j+1 >= len(src) {
			if j < len(src) {
				dst[i] = src[j]
			} else {
				dst[i] = 0
			}
			continue
		}
		f := float32(p - float64(j))
		dst[i] = src[j]*(1-f) + src[j+1]*f
	}
}

// Shift moves x by s samples in place (s > 0: later), filling with zeros.
func Shift(x []float32, s int) {
	switch {
	case s >= len(x) || -s >= len(x):
		clear(x)
	case s > 0:
		copy(x[s:], x[:len(x)-s])
		clear(x[:s])
	case s < 0:
		copy(x, x[-s:])
		clear(x[len(x)+s:])
	}
}

// AddNoise adds white Gaussian noise at snrDB relative to the power of x (silence gets noise at
// the power of a −40 dBFS signal), clamping to [−1, 1].
func AddNoise(x []float32, snrDB float64, rng *rand.Rand) {
	var p float64
	for _, v := range x {
		p += float64(v) * float64(v)
	}
	p = max(p/float64(len(x)), 1e-4)
	sd := math.Sqrt(p / math.Pow(10, snrDB/10))
	for i := range x {
		x[i] = clamp1(x[i] + float32(sd*rng.NormFloat64()))
	}
}

// BandLimit replaces x by its causal moving average over w samples (a low-pass whose first null
// is at RateHz/w). w <= 1 leaves x unchanged.
func BandLimit(x []float32, w int) {
	if w <= 1 {
		return
	}
	var s float64
	hist := make([]float32, len(x))
	copy(hist, x)
	for i := range x {
		s += float64(hist[i])
		if i >= w {
			s -= float64(hist[i-w])
		}
		x[i] = float32(s / float64(w))
	}
}

// Smear convolves x with a random impulse response h[0] = 1, h[k] = g·e^{−k/τ}·z_k for
// k = 1…4τ (z_k standard normal, τ in samples), a reverb-like tail, then rescales to the original
// peak.
func Smear(x []float32, tau int, g float64, rng *rand.Rand) {
	if tau <= 0 {
		return
	}
	h := make([]float64, 4*tau+1)
	h[0] = 1
	for k := 1; k < len(h); k++ {
		h[k] = g * math.Exp(-float64(k)/float64(tau)) * rng.NormFloat64()
	}
	src := make([]float32, len(x))
	copy(src, x)
	var peak0, peak1 float64
	out := make([]float64, len(x))
	for i := range x {
		peak0 = max(peak0, math.Abs(float64(src[i])))
		var s float64
		for k := 0; k < len(h) && k <= i; k++ {
			s += h[k] * float64(src[i-k])
		}
		out[i] = s
		peak1 = max(peak1, math.Abs(s))
	}
	scale := 1.0
	if peak1 > 0 {
		scale = peak0 / peak1
	}
	for i := range x {
		x[i] = float32(out[i] * scale)
	}
}
