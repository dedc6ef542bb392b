package models

import (
	"fmt"
	"math"
)

// GradSoft is Grad with soft targets, for the TRADES inner maximization: p holds k rows of
// Classes target weights (row-major, k = len(p)/Classes) and dst receives ∂L/∂x of
//
//	L = (1/k) Σ_i −Σ_c p[i,c] · log softmax(f(x_i))[c].
//
// With p[i] = softmax(f(x_clean,i)) this is, up to a term that does not depend on x, the mean
// KL(p_i ‖ softmax(f(x_i))), so its input gradient is the KL's. Rows are used as given (they
// need not be normalized) but must be finite and ≥ 0. Errors are as for Grad.
func (g *InputGrad) GradSoft(dst, x, p []float32) (loss float64, err error) {
	dim, classes := g.net.spec.InputDim(), g.net.spec.Classes
	if len(p) == 0 || len(p)%classes != 0 {
		return 0, fmt.Errorf("models: soft input gradient: %d target values is not a whole number of %d-class rows", len(p), classes)
	}
	k := len(p) / classes
	if len(x) != k*dim || len(dst) != len(x) {
		return 0, fmt.Errorf("models: soft input gradient: %d target rows need %d input and dst values, got %d and %d", k, k*dim, len(x), len(dst))
	}
	for i, v := range p {
		if !(v >= 0) || math.IsInf(float64(v), 1) {
			return 0, fmt.Errorf("models: soft target %d (sample %d, class %d) is %v, want a finite value >= 0", i, i/classes, i%classes, v)
		}
	}
	xb := g.gr.xT.Data().([]float32)
	tb := g.gr.tT.Data().([]float32)
	w := float32(1 / float64(k))
	for lo := 0; lo < k; lo += g.batch {
		n := min(g.batch, k-lo)
		copy(xb, x[lo*dim:(lo+n)*dim])
		clear(xb[n*dim:])
		clear(tb)
		for j, v := range p[lo*classes : (lo+n)*classes] {
			tb[j] = v * w
		}
		err := g.vm.RunAll()
		if err == nil {
			loss += scalar(g.gr.loss.Value())
			copy(dst[lo*dim:(lo+n)*dim], g.gx.Value().Data().([]float32))
		}
		g.vm.Reset()
		if err != nil {
			return 0, fmt.Errorf("models: run input-gradient graph: %w", err)
		}
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, &NonFiniteError{Step: -1, Where: "loss", Value: loss}
	}
	for j, v := range dst {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return loss, &NonFiniteError{Step: -1, Where: "grad/x", Index: j, Value: f}
		}
	}
	return loss, nil
}
