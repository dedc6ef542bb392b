package ops

import "math"

// expChunk is the number of elements the float32 kernels exponentiate at a time, in a stack
// buffer, so that the exp loop runs without calls.
const expChunk = 256

// exp2Table[j] holds the float32 bits of 2^(j/32).
var exp2Table = [32]uint32{
	0x3f800000, 0x3f82cd87, 0x3f85aac3, 0x3f88980f, 0x3f8b95c2, 0x3f8ea43a, 0x3f91c3d3, 0x3f94f4f0,
	0x3f9837f0, 0x3f9b8d3a, 0x3f9ef532, 0x3fa27043, 0x3fa5fed7, 0x3fa9a15b, 0x3fad583f, 0x3fb123f6,
	0x3fb504f3, 0x3fb8fbaf, 0x3fbd08a4, 0x3fc12c4d, 0x3fc5672a, 0x3fc9b9be, 0x3fce248c, 0x3fd2a81e,
	0x3fd744fd, 0x3fdbfbb8, 0x3fe0ccdf, 0x3fe5b907, 0x3feac0c7, 0x3fefe4ba, 0x3ff5257d, 0x3ffa83b3,
}

// exp32s sets dst[i] = e^x[i] in float32: x = (32e + j)·ln2/32 + r with n = 32e + j found by
// rounding with the 1.5·2²³ trick and r reduced in two parts (|r| ≤ ln2/64), then
// e^x = 2^e · 2^(j/32) · (1 + r + r²/2 + r³/6), 2^(j/32) from a table and 2^e added to its
// exponent bits. Relative error below 2e-7. Inputs are clamped to [−87.33, 88.37], so results
// saturate at about 1.2e-38 and 2.4e38 instead of reaching 0 or +Inf; NaN stays NaN.
// No branches, no calls: about 2× faster than math.Exp per element.
func exp32s(dst, x []float32) { expScaled32(dst, x, 1, expHi32) }

const (
	expLo32 = -87.33654 // e^expLo32 ≈ 1.18e-38, the smallest normal float32
	expHi32 = 88.37626  // e^expHi32 ≈ 3.4e38, the largest finite float32
)

// expScaled32 sets dst[i] = e^min(k·x[i], hi) (and at least e^expLo32), as exp32s; dst may be x.
// Folding the scale and the cap into the exponent's own clamp saves the passes that would
// otherwise prepare k·x and cap the result.
func expScaled32(dst, x []float32, k, hi float32) {
	const (
		invL  = 46.16624130844683     // 32/ln2
		l1    = 2839.0 / (1 << 17)    // ln2/32, high part: n·l1 is exact for |n| < 4096
		l2    = 9.983182795401946e-07 // ln2/32 − l1
		round = 12582912              // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
		bias  = 0x4B400000            // bits of round
	)
	x = x[:len(dst)]
	for i, v := range x {
		v *= k
		if v < expLo32 { // branches: Go's min/max spend ~12 instructions on NaN and ±0
			v = expLo32
		}
		if v > hi {
			v = hi
		}
		kf := v*invL + round
		n := int32(math.Float32bits(kf)) - bias
		kf -= round
		r := v - kf*l1 - kf*l2
		p := 1 + r + r*r*(0.5+r*(1.0/6))
		scale := exp2Table[n&31] + uint32(n>>5)<<23
		dst[i] = p * math.Float32frombits(scale)
	}
}

// gateCap32 is a little above ln 1e18: e^{2a} and e^{−b} are capped at 1e18, where tanh and σ
// have saturated in float32, so that the product of the two denominators stays finite.
const gateCap32 = 41.5

// gateSmall32 is the float32 bit pattern of 0.004: below it tanh(a) = a − a³/3 (see gate32).
const gateSmall32 = 0x3b83126f

// gate32 sets s[i] = σ(b[i]) = 1/(1+f) and y[i] = tanh(a[i])·s[i] = (e−1)/((e+1)(1+f)), with
// e = e^{2a} and f = e^{−b} computed in y and s themselves, so one division serves both; e and f
// are capped at 1e18 (gateCap32) to keep the product finite, and tanh(a) = a − a³/3 for
// |a| < 0.004 keeps relative accuracy near 0, where e − 1 cancels. Both forms are computed and
// the small-|a| one is picked by a bit mask: a branch here cost a third of the kernel's time.
// y and s must not alias a, b. Where the CPU has AVX2, gate32AVX2 does eight elements at a time
// with the same operations (the same bits, NaN payloads aside): 5.9 → 1.27 ns per element on
// one core (GOMAXPROCS=1 go test -bench KernelGate).
func gate32(y, s, a, b []float32) {
	a, b, s = a[:len(y)], b[:len(y)], s[:len(y)]
	if n := gate32Vec(y, s, a, b); n > 0 {
		y, s, a, b = y[n:], s[n:], a[n:], b[n:]
	}
	gate32Scalar(y, s, a, b)
}

// gate32Scalar is gate32's scalar loop (all of it where the CPU has no AVX2; the tails beyond
// the last multiple of 8 where it does).
func gate32Scalar(y, s, a, b []float32) {
	a, b, s = a[:len(y)], b[:len(y)], s[:len(y)]
	expScaled32(y, a, 2, gateCap32)
	expScaled32(s, b, -1, gateCap32)
	for i, e := range y {
		f := s[i]
		// Exactly 1e18, not the exponential's approximation of it, so that saturated
		// outputs come out as exactly ±1 and 0.5.
		if e > 1e18 {
			e = 1e18
		}
		if f > 1e18 {
			f = 1e18
		}
		q := 1 / ((e + 1) * (1 + f))
		sig := (e + 1) * q
		s[i] = sig
		x := a[i]
		small := (x - x*x*x*(1.0/3)) * sig
		large := (e - 1) * q
		// m is all ones when |x| < 0.004 (as integers, the bits of |x| order like its values).
		m := uint32(int32((math.Float32bits(x)&0x7fffffff)-gateSmall32) >> 31)
		y[i] = math.Float32frombits(math.Float32bits(small)&m | math.Float32bits(large)&^m)
	}
}
