package logits

import "math"

// LogSoftmax writes log softmax(z/T) into dst, in float64:
//
//	log softmax(z/T)_c = (z_c − m)/T − log Σ_j exp((z_j − m)/T),   m = max_j z_j,
//
// shifted by the max so that it stays finite for logits of any size.
func LogSoftmax[F float32 | float64](dst []float64, z []F, T float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, float64(v))
	}
	var sum float64
	for _, v := range z {
		sum += math.Exp((float64(v) - m) / T)
	}
	lse := math.Log(sum)
	for c, v := range z {
		dst[c] = (float64(v)-m)/T - lse
	}
}

// MeanKL is the mean over the rows of t and s (k logits each) of the distillation divergence
//
//	KL(softmax(t/T) ‖ softmax(s/T)) = Σ_c q_c·(log q_c − log softmax(s/T)_c),   q = softmax(t/T),
//
// summed over the classes, in float64 (terms with q_c = 0 count 0).
func MeanKL[F float32 | float64](t, s []F, k int, T float64) float64 {
	n := len(t) / k
	if n == 0 {
		return math.NaN()
	}
	lt, ls := make([]float64, k), make([]float64, k)
	var kl float64
	for i := range n {
		LogSoftmax(lt, t[i*k:(i+1)*k], T)
		LogSoftmax(ls, s[i*k:(i+1)*k], T)
		for c := range k {
			if q := math.Exp(lt[c]); q > 0 {
				kl += q * (lt[c] - ls[c])
			}
		}
	}
	return kl / float64(n)
}
