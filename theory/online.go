package theory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// OnlineSetting is the teacher–student problem in the online limit (d → ∞, one pass over fresh
// samples, α = task-1 samples / d): a student with one linear trunk layer A (Width × d) and a head
// (V_t, b_t) per task learns two linear teachers whose fields have the overlaps the finite-data
// generator gives them. See the package doc for the equations.
type OnlineSetting struct {
	Rank, Classes int
	Width         int     // student trunk width M
	R, SA, SB     float64 // relatedness and signal strengths, as in TaskParams
	Noise         float64 // σ: std of the Gaussian noise on the teacher logits
	ExpValues     bool    // exponentially decaying singular values, as in TaskParams
	LR            float64 // η: trunk learning rate (A moves by η/√d · g xᵀ per sample)
	HeadLR        float64 // η_V: head learning rate (V moves by η_V/d · δ λᵀ per sample)
	AuxRatio      float64 // task-2 samples per task-1 sample (0: single task)
	Q0            float64 // initial Q = Q0·I (the trunk's initial scale)
	// Seed draws the teachers' heads w_t and the student's initial heads V_t, which the theory and
	// every simulation share.
	Seed uint64
}

// Validate reports a setting the theory cannot integrate.
func (s OnlineSetting) Validate() error {
	switch {
	case s.Rank < 1 || s.Classes < 2 || s.Width < s.Classes:
		return fmt.Errorf("theory: online setting: rank %d, classes %d, width %d: need rank ≥ 1, classes ≥ 2 and width ≥ classes",
			s.Rank, s.Classes, s.Width)
	case !(s.R >= 0 && s.R <= 1) || !(s.SA > 0) || !(s.SB > 0):
		return fmt.Errorf("theory: online setting: r = %g, s_a = %g, s_b = %g: need r in [0, 1] and positive strengths", s.R, s.SA, s.SB)
	case !(s.Noise >= 0) || !(s.LR > 0) || !(s.HeadLR >= 0) || !(s.AuxRatio >= 0) || !(s.Q0 > 0):
		return fmt.Errorf("theory: online setting: noise %g, lr %g, head lr %g, aux ratio %g, q0 %g: need noise ≥ 0, lr > 0, head lr ≥ 0, ratio ≥ 0, q0 > 0",
			s.Noise, s.LR, s.HeadLR, s.AuxRatio, s.Q0)
	}
	return nil
}

// OnlineState holds the order parameters: Q = A·Aᵀ/d (Width×Width), R = A·[W1; W2]ᵀ/d
// (Width × 2·Rank, teacher 1's columns first), and the heads V_t (Classes×Width) and b_t.
type OnlineState struct {
	Q, R []float64
	V, B [2][]float64
}

func (s *OnlineState) clone() *OnlineState {
	c := &OnlineState{Q: append([]float64(nil), s.Q...), R: append([]float64(nil), s.R...)}
	for t := range s.V {
		c.V[t] = append([]float64(nil), s.V[t]...)
		c.B[t] = append([]float64(nil), s.B[t]...)
	}
	return c
}

// axpy sets s ← s + a·d, field by field.
func (s *OnlineState) axpy(a float64, d *OnlineState) {
	add := func(x, y []float64) {
		for i := range x {
			x[i] += a * y[i]
		}
	}
	add(s.Q, d.Q)
	add(s.R, d.R)
	for t := range s.V {
		add(s.V[t], d.V[t])
		add(s.B[t], d.B[t])
	}
}

// Theory integrates the order-parameter ODEs of an OnlineSetting. The Gaussian averages are Monte
// Carlo estimates over a sample of standard normals drawn once (common random numbers: the same
// numbers at every step and for every setting with the same sample seed), with a separate sample for
// the generalisation error.
type Theory struct {
	set     OnlineSetting
	p       int       // 2·Rank: both teachers' fields
	T       []float64 // p×p teacher overlaps
	w       [2][]float64
	v0      [2][]float64
	train   gaussSample
	eval    gaussSample
	workers int
}

// gaussSample is n draws of a standard normal vector of dimension dim, row-major.
type gaussSample struct {
	n, dim int
	z      []float64
}

func newGaussSample(n, dim int, seed, purpose uint64) gaussSample {
	r := stream(seed, purpose)
	z := make([]float64, n*dim)
	for i := range z {
		z[i] = r.NormFloat64()
	}
	return gaussSample{n: n, dim: dim, z: z}
}

// NewTheory prepares the ODEs of set with samples Monte Carlo draws for the dynamics and
// evalSamples for the generalisation error, both from sampleSeed. workers ≤ 0 uses GOMAXPROCS; the
// results do not depend on it.
func NewTheory(set OnlineSetting, samples, evalSamples int, sampleSeed uint64, workers int) (*Theory, error) {
	if err := set.Validate(); err != nil {
		return nil, err
	}
	if samples < 100 || evalSamples < 100 {
		return nil, fmt.Errorf("theory: %d and %d Monte Carlo samples are too few; use at least 100 (200k for benefits)", samples, evalSamples)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	k, c := set.Rank, set.Classes
	th := &Theory{set: set, p: 2 * k, workers: workers}
	sv := make([]float64, k)
	var sum float64
	for i := range sv {
		sv[i] = 1
		if set.ExpValues {
			sv[i] = math.Exp(-float64(i))
			sum += sv[i]
		}
	}
	if set.ExpValues {
		for i := range sv {
			sv[i] /= sum
		}
	}
	th.T = make([]float64, th.p*th.p)
	for i := 0; i < k; i++ {
		s2 := sv[i] * sv[i]
		th.T[i*th.p+i] = set.SA * set.SA * s2
		th.T[(k+i)*th.p+k+i] = set.SB * set.SB * s2
		th.T[i*th.p+k+i] = set.R * set.SA * set.SB * s2
		th.T[(k+i)*th.p+i] = set.R * set.SA * set.SB * s2
	}
	for t := 0; t < 2; t++ {
		th.w[t] = make([]float64, c*k)
		Orthogonal(th.w[t], c, k, stream(set.Seed, 600+uint64(t)))
		th.v0[t] = make([]float64, c*set.Width)
		Orthogonal(th.v0[t], c, set.Width, stream(set.Seed, 610+uint64(t)))
	}
	th.train = newGaussSample(samples, 2*c, sampleSeed, 620)
	th.eval = newGaussSample(evalSamples, 2*c, sampleSeed, 621)
	return th, nil
}

// Setting returns the theory's setting.
func (th *Theory) Setting() OnlineSetting { return th.set }

// TeacherHead returns teacher t's head w_t (Classes×Rank); callers must not change it.
func (th *Theory) TeacherHead(t int) []float64 { return th.w[t] }

// InitialHead returns the student's initial head V_t (Classes×Width); callers must not change it.
func (th *Theory) InitialHead(t int) []float64 { return th.v0[t] }

// Init returns the state the theory starts from: Q = Q0·I, R = 0 (a random trunk has overlaps of
// order 1/√d with the teachers), V_t the shared initial heads, b_t = 0.
func (th *Theory) Init() *OnlineState {
	m, c := th.set.Width, th.set.Classes
	st := &OnlineState{Q: make([]float64, m*m), R: make([]float64, m*th.p)}
	for i := 0; i < m; i++ {
		st.Q[i*m+i] = th.set.Q0
	}
	for t := 0; t < 2; t++ {
		st.V[t] = append([]float64(nil), th.v0[t]...)
		st.B[t] = make([]float64, c)
	}
	return st
}

// fieldCov builds, for task t, the covariance C_h of h = (V_t·λ, w_t·ν_t + σ·ξ) (2K×2K) and the
// cross-covariances Cov(h, λ) (2K×M) and Cov(h, ν) (2K×P).
func (th *Theory) fieldCov(st *OnlineState, t int) (ch, hl, hn []float64) {
	m, c, k, p := th.set.Width, th.set.Classes, th.set.Rank, th.p
	v, w := st.V[t], th.w[t]
	vq := make([]float64, c*m)
	gemm(false, false, c, m, m, 1, v, st.Q, 0, vq)
	vr := make([]float64, c*p)
	gemm(false, false, c, p, m, 1, v, st.R, 0, vr)
	// Rows of T and columns of R that belong to teacher t.
	tt := make([]float64, k*p) // T[t block, :]
	copy(tt, th.T[t*k*p:(t+1)*k*p])
	rt := make([]float64, m*k) // R[:, t block]
	for i := 0; i < m; i++ {
		copy(rt[i*k:(i+1)*k], st.R[i*p+t*k:i*p+(t+1)*k])
	}
	hl = make([]float64, 2*c*m)
	copy(hl[:c*m], vq)
	gemm(false, true, c, m, k, 1, w, rt, 0, hl[c*m:]) // w_t·R_tᵀ
	hn = make([]float64, 2*c*p)
	copy(hn[:c*p], vr)
	gemm(false, false, c, p, k, 1, w, tt, 0, hn[c*p:]) // w_t·T[t, :]
	n2 := 2 * c
	ch = make([]float64, n2*n2)
	// C_h = [[V Q Vᵀ, V R_t w_tᵀ], [·, w_t T_tt w_tᵀ + σ²I]] for s0 = V λ and τ = w_t ν_t + σ ξ.
	ss := make([]float64, c*c)
	gemm(false, true, c, c, m, 1, vq, v, 0, ss)
	// V R_t w_tᵀ: take the t block of V R.
	st2 := make([]float64, c*c)
	vrt := make([]float64, c*k)
	for i := 0; i < c; i++ {
		copy(vrt[i*k:(i+1)*k], vr[i*p+t*k:i*p+(t+1)*k])
	}
	gemm(false, true, c, c, k, 1, vrt, w, 0, st2)
	ttt := make([]float64, k*k)
	for i := 0; i < k; i++ {
		copy(ttt[i*k:(i+1)*k], th.T[(t*k+i)*p+t*k:(t*k+i)*p+(t+1)*k])
	}
	wt := make([]float64, c*k)
	gemm(false, false, c, k, k, 1, w, ttt, 0, wt)
	tau := make([]float64, c*c)
	gemm(false, true, c, c, k, 1, wt, w, 0, tau)
	sig2 := th.set.Noise * th.set.Noise
	for i := 0; i < c; i++ {
		for j := 0; j < c; j++ {
			ch[i*n2+j] = ss[i*c+j]
			ch[i*n2+c+j] = st2[i*c+j]
			ch[(c+i)*n2+j] = st2[j*c+i]
			ch[(c+i)*n2+c+j] = tau[i*c+j]
		}
		ch[(c+i)*n2+c+i] += sig2
	}
	return ch, hl, hn
}

// moments are Monte Carlo averages over the fields of one task.
type moments struct {
	d   []float64 // E δ (K)
	dz  []float64 // E δ zᵀ (K × 2K), with h = S z
	dd  []float64 // E δ δᵀ (K×K)
	ce  float64   // E[lse(s) − s_y]
	acc float64   // P(argmax s = y)
}

// average computes the moments of δ = softmax(s) − e_y with s = h[:K] + b and y = argmax h[K:],
// h = S·z over the sample, split into fixed chunks summed in order so that the result does not
// depend on the number of workers.
func (th *Theory) average(smp *gaussSample, s, b []float64, withGrad bool) moments {
	c := th.set.Classes
	n2 := 2 * c
	const chunk = 4096
	nch := (smp.n + chunk - 1) / chunk
	parts := make([]moments, nch)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(th.workers, nch); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := make([]float64, n2)
			pr := make([]float64, c)
			for ci := range next {
				m := moments{d: make([]float64, c)}
				if withGrad {
					m.dz, m.dd = make([]float64, c*n2), make([]float64, c*c)
				}
				for i := ci * chunk; i < min(smp.n, (ci+1)*chunk); i++ {
					z := smp.z[i*n2 : (i+1)*n2]
					for r := 0; r < n2; r++ {
						row := s[r*n2 : (r+1)*n2]
						var acc float64
						for j, v := range row {
							acc += v * z[j]
						}
						h[r] = acc
					}
					y := argmax(h[c:])
					mx := math.Inf(-1)
					best := 0
					for j := 0; j < c; j++ {
						pr[j] = h[j] + b[j]
						if pr[j] > mx {
							mx, best = pr[j], j
						}
					}
					var sum float64
					for j := 0; j < c; j++ {
						pr[j] = math.Exp(pr[j] - mx)
						sum += pr[j]
					}
					m.ce += mx + math.Log(sum) - (h[y] + b[y])
					if best == y {
						m.acc++
					}
					for j := 0; j < c; j++ {
						pr[j] /= sum
					}
					pr[y] -= 1
					for j := 0; j < c; j++ {
						m.d[j] += pr[j]
					}
					if !withGrad {
						pr[y] += 1
						continue
					}
					for j := 0; j < c; j++ {
						dj := pr[j]
						row := m.dz[j*n2 : (j+1)*n2]
						for l, v := range z {
							row[l] += dj * v
						}
						rd := m.dd[j*c : (j+1)*c]
						for l := 0; l <= j; l++ {
							rd[l] += dj * pr[l]
						}
					}
					pr[y] += 1
				}
				parts[ci] = m
			}
		}()
	}
	for ci := 0; ci < nch; ci++ {
		next <- ci
	}
	close(next)
	wg.Wait()
	tot := moments{d: make([]float64, c)}
	if withGrad {
		tot.dz, tot.dd = make([]float64, c*n2), make([]float64, c*c)
	}
	for _, m := range parts {
		tot.ce += m.ce
		tot.acc += m.acc
		for i, v := range m.d {
			tot.d[i] += v
		}
		for i, v := range m.dz {
			tot.dz[i] += v
		}
		for i, v := range m.dd {
			tot.dd[i] += v
		}
	}
	inv := 1 / float64(smp.n)
	tot.ce *= inv
	tot.acc *= inv
	for i := range tot.d {
		tot.d[i] *= inv
	}
	for i := range tot.dz {
		tot.dz[i] *= inv
	}
	for j := 0; j < c && withGrad; j++ {
		for l := 0; l <= j; l++ {
			v := tot.dd[j*c+l] * inv
			tot.dd[j*c+l], tot.dd[l*c+j] = v, v
		}
	}
	return tot
}

// ErrCovariance reports order parameters whose field covariance cannot be factorised (they left the
// positive semi-definite cone, usually because the learning rate or the step dα is too large).
var ErrCovariance = errors.New("theory: field covariance is not factorisable")

// Generalization returns task t's test cross-entropy (nats) and accuracy at state st, against noisy
// test labels, from the evaluation sample.
func (th *Theory) Generalization(st *OnlineState, t int) (ce, acc float64, err error) {
	ch, _, _ := th.fieldCov(st, t)
	s, _, ok := symSqrtPinv(ch, 2*th.set.Classes)
	if !ok {
		return math.NaN(), math.NaN(), ErrCovariance
	}
	m := th.average(&th.eval, s, st.B[t], false)
	return m.ce, m.acc, nil
}

// Derivative returns dState/dα at st:
//
//	dQ/dα   = Σ_t ρ_t [ −η (E_t[g λᵀ] + E_t[λ gᵀ]) + η² E_t[g gᵀ] ]
//	dR/dα   = −η Σ_t ρ_t E_t[g νᵀ]
//	dV_t/dα = −η_V ρ_t E_t[δ λᵀ],   db_t/dα = −η_V ρ_t E_t[δ]
//
// with g = V_tᵀ δ, ρ_1 = 1, ρ_2 = AuxRatio.
func (th *Theory) Derivative(st *OnlineState) (*OnlineState, error) {
	m, c, p := th.set.Width, th.set.Classes, th.p
	d := &OnlineState{Q: make([]float64, m*m), R: make([]float64, m*p)}
	for t := 0; t < 2; t++ {
		d.V[t] = make([]float64, c*m)
		d.B[t] = make([]float64, c)
	}
	eta, etaV := th.set.LR, th.set.HeadLR
	for t := 0; t < 2; t++ {
		rho := 1.0
		if t == 1 {
			rho = th.set.AuxRatio
		}
		if rho == 0 {
			continue
		}
		ch, hl, hn := th.fieldCov(st, t)
		s, sp, ok := symSqrtPinv(ch, 2*c)
		if !ok {
			return nil, ErrCovariance
		}
		mo := th.average(&th.train, s, st.B[t], true)
		// E[δ hᵀ] C_h⁺ = E[δ zᵀ] S⁺ (h = S z, S symmetric): the regression of δ on the fields.
		g := make([]float64, c*2*c)
		gemm(false, false, c, 2*c, 2*c, 1, mo.dz, sp, 0, g)
		edl := make([]float64, c*m)
		gemm(false, false, c, m, 2*c, 1, g, hl, 0, edl) // E[δ λᵀ]
		edn := make([]float64, c*p)
		gemm(false, false, c, p, 2*c, 1, g, hn, 0, edn) // E[δ νᵀ]
		v := st.V[t]
		egl := make([]float64, m*m)
		gemm(true, false, m, m, c, 1, v, edl, 0, egl) // E[g λᵀ] = Vᵀ E[δ λᵀ]
		vdd := make([]float64, c*m)
		gemm(false, false, c, m, c, 1, mo.dd, v, 0, vdd)
		egg := make([]float64, m*m)
		gemm(true, false, m, m, c, 1, v, vdd, 0, egg) // E[g gᵀ] = Vᵀ E[δδᵀ] V
		for i := 0; i < m; i++ {
			for j := 0; j < m; j++ {
				d.Q[i*m+j] += rho * (-eta*(egl[i*m+j]+egl[j*m+i]) + eta*eta*egg[i*m+j])
			}
		}
		gemm(true, false, m, p, c, -eta*rho, v, edn, 1, d.R) // −η Vᵀ E[δ νᵀ]
		for i := range edl {
			d.V[t][i] = -etaV * rho * edl[i]
		}
		for i := range mo.d {
			d.B[t][i] = -etaV * rho * mo.d[i]
		}
	}
	return d, nil
}

// CurvePoint is the task-1 generalisation at one α.
type CurvePoint struct {
	Alpha float64 // task-1 samples seen / d
	CE    float64 // test cross-entropy, nats
	Acc   float64 // test accuracy
}

// Integrate solves the ODEs from Init with Heun's method (RK2) in steps of dAlpha up to alphaMax,
// recording task 1's generalisation every `every` (a multiple of dAlpha, rounded to one) and at 0.
// It returns ctx.Err() when cancelled between steps.
func (th *Theory) Integrate(ctx context.Context, alphaMax, dAlpha, every float64) ([]CurvePoint, error) {
	if !(dAlpha > 0) || !(alphaMax > 0) || !(every >= dAlpha) {
		return nil, fmt.Errorf("theory: integrate: need alphaMax > 0, dα > 0 and every ≥ dα (got %g, %g, %g)", alphaMax, dAlpha, every)
	}
	perRecord := int(math.Round(every / dAlpha))
	records := int(math.Round(alphaMax / (float64(perRecord) * dAlpha)))
	st := th.Init()
	ce, acc, err := th.Generalization(st, 0)
	if err != nil {
		return nil, err
	}
	out := []CurvePoint{{0, ce, acc}}
	for r := 1; r <= records; r++ {
		for i := 0; i < perRecord; i++ {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			k1, err := th.Derivative(st)
			if err != nil {
				return out, err
			}
			mid := st.clone()
			mid.axpy(dAlpha, k1)
			k2, err := th.Derivative(mid)
			if err != nil {
				return out, err
			}
			st.axpy(dAlpha/2, k1)
			st.axpy(dAlpha/2, k2)
		}
		ce, acc, err := th.Generalization(st, 0)
		if err != nil {
			return out, err
		}
		out = append(out, CurvePoint{float64(r*perRecord) * dAlpha, ce, acc})
	}
	return out, nil
}
