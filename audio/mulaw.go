package audio

import "math"

// Mu is the μ of the companding law.
const Mu = 255

var lnMu1 = math.Log1p(Mu)

// DecodeG711 returns the linear value in [−1, 1] of a G.711 μ-law byte (as sox -e u-law writes):
// the byte is inverted, then sign s, exponent e (3 bits) and mantissa m (4 bits) give
// ±(((m<<3) + 0x84) << e − 0x84) / 32768.
func DecodeG711(b byte) float32 {
	u := ^b
	e := (u >> 4) & 7
	m := int(u & 0x0f)
	v := ((m << 3) + 0x84) << e
	v -= 0x84
	if u&0x80 != 0 {
		v = -v
	}
	return float32(v) / 32768
}

// Compand returns F(x) = sign(x)·ln(1+μ|x|)/ln(1+μ); x is clamped to [−1, 1].
func Compand(x float32) float32 {
	a := math.Min(math.Abs(float64(x)), 1)
	y := float32(math.Log1p(Mu*a) / lnMu1)
	if x < 0 {
		return -y
	}
	return y
}

// Expand is the inverse of Compand for y in [−1, 1].
func Expand(y float32) float32 {
	a := math.Min(math.Abs(float64(y)), 1)
	x := float32((math.Pow(1+Mu, a) - 1) / Mu)
	if y < 0 {
		return -x
	}
	return x
}

// Class returns the 256-way μ-law class of x: ⌊(F(x)+1)/2·255 + ½⌋.
func Class(x float32) int {
	c := int((float64(Compand(x))+1)/2*255 + 0.5)
	return min(max(c, 0), 255)
}

// CompandInto writes F(src[i]) into dst[i]. It panics if dst is shorter than src.
func CompandInto(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = Compand(v)
	}
}
