package attacks

import (
	"math"
	"math/rand/v2"
	"slices"
)

// linear is a test model with logits z = W·x + b (W is K×D), computed in float64. Its gradients
// are closed-form: ∂CE/∂x = Σ_c (softmax(z)_c·Σt − t_c)·W_c for targets t (one-hot for Grad).
type linear struct {
	w    [][]float64
	b    []float64
	zero bool // report a zero input gradient (a deliberately masked model)
}

func (m *linear) Dim() int     { return len(m.w[0]) }
func (m *linear) Classes() int { return len(m.w) }

func (m *linear) row(x []float32) []float64 {
	z := make([]float64, len(m.w))
	for c, wc := range m.w {
		z[c] = m.b[c]
		for j, v := range wc {
			z[c] += v * float64(x[j])
		}
	}
	return z
}

func (m *linear) Logits(dst, x []float32) error {
	d, k := m.Dim(), m.Classes()
	for i := 0; i < len(x)/d; i++ {
		for c, v := range m.row(x[i*d : (i+1)*d]) {
			dst[i*k+c] = float32(v)
		}
	}
	return nil
}

func (m *linear) grad(dst, x []float32, target func(i int) []float64) float64 {
	d := m.Dim()
	n := len(x) / d
	var loss float64
	for i := 0; i < n; i++ {
		z := m.row(x[i*d : (i+1)*d])
		mx := slices.Max(z)
		var s float64
		for _, v := range z {
			s += math.Exp(v - mx)
		}
		t := target(i)
		var ts float64
		for _, v := range t {
			ts += v
		}
		g := make([]float64, d)
		for c, wc := range m.w {
			p := math.Exp(z[c]-mx) / s
			loss -= t[c] * (z[c] - mx - math.Log(s)) / float64(n)
			coef := (p*ts - t[c]) / float64(n)
			for j, v := range wc {
				g[j] += coef * v
			}
		}
		for j := range g {
			if m.zero {
				g[j] = 0
			}
			dst[i*d+j] = float32(g[j])
		}
	}
	return loss
}

func (m *linear) Grad(dst, x []float32, y []int) (float64, error) {
	return m.grad(dst, x, func(i int) []float64 {
		t := make([]float64, m.Classes())
		t[y[i]] = 1
		return t
	}), nil
}

func (m *linear) GradSoft(dst, x, p []float32) (float64, error) {
	k := m.Classes()
	return m.grad(dst, x, func(i int) []float64 {
		t := make([]float64, k)
		for c := range t {
			t[c] = float64(p[i*k+c])
		}
		return t
	}), nil
}

// randLinear returns a K-class linear model on D inputs with N(0, 1) weights and zero biases.
func randLinear(k, d int, seed uint64) *linear {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &linear{b: make([]float64, k)}
	for c := 0; c < k; c++ {
		row := make([]float64, d)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		m.w = append(m.w, row)
	}
	return m
}

// labelled returns n inputs uniform in [lo, hi)^d, labelled by m's own predictions, so that m's
// clean accuracy is 1.
func labelled(m *linear, n int, lo, hi float64, seed uint64) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 2))
	d := m.Dim()
	x := make([]float32, n*d)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x[i*d+j] = float32(lo + (hi-lo)*rng.Float64())
		}
		z := m.row(x[i*d : (i+1)*d])
		y[i] = slices.Index(z, slices.Max(z))
	}
	return x, y
}

// trap wraps a model and reverses its input gradient exactly at the clean inputs it was given:
// a single gradient step from x (FGSM) then moves the wrong way, while an attack that starts
// elsewhere sees the true gradient. This is how catastrophic overfitting looks to the attacks.
type trap struct {
	Model
	clean []float32
}

func (m *trap) Grad(dst, x []float32, y []int) (float64, error) {
	loss, err := m.Model.Grad(dst, x, y)
	d := m.Dim()
	for i := 0; i < len(y); i++ {
		if slices.Equal(x[i*d:(i+1)*d], m.clean[i*d:(i+1)*d]) {
			for j := i * d; j < (i+1)*d; j++ {
				dst[j] = -dst[j]
			}
		}
	}
	return loss, err
}
