package theory

import (
	"context"
	"fmt"
	"math"
)

// SimParams configures a one-pass SGD simulation of a Theory's setting at finite d.
type SimParams struct {
	D        int     // input dimension; ≥ Width
	AlphaMax float64 // task-1 samples / d to run
	Every    float64 // α between records
	Seed     uint64  // draws the teachers' subspaces, the student's trunk and the sample stream
}

// Simulate runs the setting's SGD at dimension p.D on fresh samples, one at a time:
//
//	λ = A x/√d,  ν_t = W_t x/√d,  y = argmax(w_t ν_t + σ ξ),  δ = softmax(V_t λ + b_t) − e_y
//	A ← A − (η/√d)·(V_tᵀ δ) xᵀ,   V_t ← V_t − (η_V/d)·δ λᵀ,   b_t ← b_t − (η_V/d)·δ
//
// taking AuxRatio task-2 samples after each task-1 sample (fractions carried over). The teachers and
// the student's initial heads are the theory's; W_t and the trunk A (orthogonal rows, so Q = Q0·I
// exactly) are drawn from p.Seed. At every record it reads the order parameters off the weights and
// reports task 1's generalisation with the theory's evaluation sample: for Gaussian inputs the test
// error is a function of the order parameters alone, so this compares the dynamics, not the sampling.
func (th *Theory) Simulate(ctx context.Context, p SimParams) ([]CurvePoint, error) {
	set := th.set
	d, m, k, c, np := p.D, set.Width, set.Rank, set.Classes, th.p
	if d < m || d < np {
		return nil, fmt.Errorf("theory: simulate: d = %d must be at least the width %d and 2·rank %d", d, m, np)
	}
	if !(p.AlphaMax > 0) || !(p.Every > 0) {
		return nil, fmt.Errorf("theory: simulate: need alphaMax > 0 and every > 0 (got %g, %g)", p.AlphaMax, p.Every)
	}
	sd := math.Sqrt(float64(d))
	// Teacher fields ν = F x with F = W/√d: rows s·sv_i·u, u orthonormal.
	u := make([]float64, np*d)
	Orthogonal(u, np, d, stream(p.Seed, 700))
	f := make([]float64, np*d)
	cr := math.Sqrt(math.Max(0, 1-set.R*set.R))
	for i := 0; i < k; i++ {
		sv := math.Sqrt(th.T[i*np+i]) / set.SA // the singular value of direction i
		for j := 0; j < d; j++ {
			f[i*d+j] = set.SA * sv * u[i*d+j]
			f[(k+i)*d+j] = set.SB * sv * (set.R*u[i*d+j] + cr*u[(k+i)*d+j])
		}
	}
	a := make([]float64, m*d)
	Orthogonal(a, m, d, stream(p.Seed, 701))
	scale := math.Sqrt(float64(d) * set.Q0)
	for i := range a {
		a[i] *= scale
	}
	var v, b [2][]float64
	for t := 0; t < 2; t++ {
		v[t] = append([]float64(nil), th.v0[t]...)
		b[t] = make([]float64, c)
	}
	xs, noise := stream(p.Seed, 702), stream(p.Seed, 703)
	x := make([]float64, d)
	lam := make([]float64, m)
	nu := make([]float64, k)
	tau := make([]float64, c)
	pr := make([]float64, c)
	g := make([]float64, m)
	eta, etaV := set.LR, set.HeadLR
	sample := func(t int) {
		for i := range x {
			x[i] = xs.NormFloat64()
		}
		for i := 0; i < m; i++ {
			lam[i] = dot(a[i*d:(i+1)*d], x) / sd
		}
		for i := 0; i < k; i++ {
			nu[i] = dot(f[(t*k+i)*d:(t*k+i+1)*d], x)
		}
		w := th.w[t]
		for j := 0; j < c; j++ {
			tau[j] = dot(w[j*k:(j+1)*k], nu) + set.Noise*noise.NormFloat64()
		}
		y := argmax(tau)
		mx := math.Inf(-1)
		for j := 0; j < c; j++ {
			pr[j] = dot(v[t][j*m:(j+1)*m], lam) + b[t][j]
			mx = math.Max(mx, pr[j])
		}
		var sum float64
		for j := range pr {
			pr[j] = math.Exp(pr[j] - mx)
			sum += pr[j]
		}
		for j := range pr {
			pr[j] /= sum
		}
		pr[y] -= 1
		for i := 0; i < m; i++ {
			var s float64
			for j := 0; j < c; j++ {
				s += v[t][j*m+i] * pr[j]
			}
			g[i] = s
		}
		for i := 0; i < m; i++ {
			gi := -eta / sd * g[i]
			row := a[i*d : (i+1)*d]
			for j, xj := range x {
				row[j] += gi * xj
			}
		}
		hs := etaV / float64(d)
		for j := 0; j < c; j++ {
			row := v[t][j*m : (j+1)*m]
			for i, l := range lam {
				row[i] -= hs * pr[j] * l
			}
			b[t][j] -= hs * pr[j]
		}
	}
	record := func(alpha float64) (CurvePoint, error) {
		st := &OnlineState{Q: make([]float64, m*m), R: make([]float64, m*np)}
		gemm(false, true, m, m, d, 1/float64(d), a, a, 0, st.Q)
		gemm(false, true, m, np, d, 1/sd, a, f, 0, st.R)
		st.V, st.B = v, b
		ce, acc, err := th.Generalization(st, 0)
		return CurvePoint{alpha, ce, acc}, err
	}
	pt, err := record(0)
	if err != nil {
		return nil, err
	}
	out := []CurvePoint{pt}
	per := int(math.Round(p.Every * float64(d)))
	total := int(math.Round(p.AlphaMax * float64(d)))
	var carry float64
	for n := 1; n <= total; n++ {
		sample(0)
		carry += set.AuxRatio
		for carry >= 1-1e-12 {
			sample(1)
			carry--
		}
		if n%per == 0 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			pt, err := record(float64(n) / float64(d))
			if err != nil {
				return out, err
			}
			out = append(out, pt)
		}
	}
	return out, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
