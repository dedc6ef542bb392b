package audio

import "math/rand/v2"

// NextStep writes the encoder input F(x[t]) into in and the next-step class class(x[t+1]) into
// target (−1 at the last step, which has no successor). It panics if the lengths differ.
func NextStep(in []float32, target []int32, x []float32) {
	if len(in) != len(x) || len(target) != len(x) {
		panic("audio: NextStep: lengths differ")
	}
	CompandInto(in, x)
	for t := 0; t+1 < len(x); t++ {
		target[t] = int32(Class(x[t+1]))
	}
	target[len(x)-1] = -1
}

// Denoise writes F(x + n) into in and F(x) into target, with white noise n at an SNR drawn
// uniformly from [snrLo, snrHi] dB. It panics if the lengths differ.
func Denoise(in, target, x []float32, snrLo, snrHi float64, rng *rand.Rand) {
	if len(in) != len(x) || len(target) != len(x) {
		panic("audio: Denoise: lengths differ")
	}
	copy(in, x)
	AddNoise(in, snrLo+(snrHi-snrLo)*rng.Float64(), rng)
	CompandInto(in, in)
	CompandInto(target, x)
}

// Upsample writes F(u) into in and F(x) into target, where u is x decimated by 2 (the mean of
// each pair of samples) and interpolated back to full rate linearly: u[2j] = d[j],
// u[2j+1] = (d[j] + d[j+1])/2. It panics if the lengths differ.
func Upsample(in, target, x []float32) {
	n := len(x)
	if len(in) != n || len(target) != n {
		panic("audio: Upsample: lengths differ")
	}
	d := make([]float32, (n+1)/2)
	for j := range d {
		if 2*j+1 < n {
			d[j] = (x[2*j] + x[2*j+1]) / 2
		} else {
			d[j] = x[2*j]
		}
	}
	for j := range d {
		in[2*j] = d[j]
		if 2*j+1 < n {
			nx := d[j]
			if j+1 < len(d) {
				nx = d[j+1]
			}
			in[2*j+1] = (d[j] + nx) / 2
		}
	}
	CompandInto(in, in)
	CompandInto(target, x)
}
