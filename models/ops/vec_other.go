//go:build !amd64

package ops

// addConst32 sets dst[i] = src[i] + v.
func addConst32(dst, src []float32, v float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = src[i] + v
	}
}

// add32 sets dst[i] += src[i].
func add32(dst, src []float32) {
	dst = dst[:len(src)]
	for i := range src {
		dst[i] += src[i]
	}
}

// sum32 returns Σ x[i] in four chains.
func sum32(x []float32) float32 { return sumChains(x) }

// relu32Vec has no vector version on this architecture.
func relu32Vec(dst, src []float32) int { return 0 }

// reluGrad32Vec has no vector version on this architecture.
func reluGrad32Vec(y, dy, dx []float32) int { return 0 }
