package theory

import (
	"context"
	"math"
	"testing"
)

func smallSetting(r, aux float64) OnlineSetting {
	return OnlineSetting{Rank: 2, Classes: 3, Width: 4, R: r, SA: 1.5, SB: 1.5, Noise: 0.2, LR: 1, HeadLR: 1,
		AuxRatio: aux, Q0: 1, Seed: 3}
}

// TestGeneralizationMatchesSampling checks the generalisation function of the order parameters
// against a direct average over inputs x ~ N(0, I_d) for a random finite student (any Q, R, V, b):
// both tasks, within the sampling error of both estimates.
func TestGeneralizationMatchesSampling(t *testing.T) {
	t.Parallel()
	set := OnlineSetting{Rank: 2, Classes: 4, Width: 5, R: 0.6, SA: 1.3, SB: 0.7, Noise: 0.3, LR: 1, HeadLR: 1, Q0: 1, Seed: 7}
	th, err := NewTheory(set, 100, 100_000, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	const d = 40
	m, k, c := set.Width, set.Rank, set.Classes
	rng := stream(99, 1)
	a := make([]float64, m*d) // a random trunk: Q is not a multiple of I
	for i := range a {
		a[i] = rng.NormFloat64() * (0.5 + float64(i%3)*0.4)
	}
	u := make([]float64, 2*k*d)
	Orthogonal(u, 2*k, d, rng)
	f := make([]float64, 2*k*d) // ν = F x: teacher 1 then teacher 2
	cr := math.Sqrt(1 - set.R*set.R)
	for i := 0; i < k; i++ {
		for j := 0; j < d; j++ {
			f[i*d+j] = set.SA * u[i*d+j]
			f[(k+i)*d+j] = set.SB * (set.R*u[i*d+j] + cr*u[(k+i)*d+j])
		}
	}
	st := &OnlineState{Q: make([]float64, m*m), R: make([]float64, m*2*k)}
	sd := math.Sqrt(d)
	gemm(false, true, m, m, d, 1/float64(d), a, a, 0, st.Q)
	gemm(false, true, m, 2*k, d, 1/sd, a, f, 0, st.R)
	for t := 0; t < 2; t++ {
		st.V[t], st.B[t] = make([]float64, c*m), make([]float64, c)
		for i := range st.V[t] {
			st.V[t][i] = rng.NormFloat64()
		}
		for i := range st.B[t] {
			st.B[t][i] = rng.NormFloat64()
		}
	}
	x := make([]float64, d)
	lam, nu, s, tau := make([]float64, m), make([]float64, k), make([]float64, c), make([]float64, c)
	for task := 0; task < 2; task++ {
		const n = 100_000
		var sum, sum2 float64
		for i := 0; i < n; i++ {
			for j := range x {
				x[j] = rng.NormFloat64()
			}
			for j := 0; j < m; j++ {
				lam[j] = dot(a[j*d:(j+1)*d], x) / sd
			}
			for j := 0; j < k; j++ {
				nu[j] = dot(f[(task*k+j)*d:(task*k+j+1)*d], x)
			}
			for j := 0; j < c; j++ {
				tau[j] = dot(th.w[task][j*k:(j+1)*k], nu) + set.Noise*rng.NormFloat64()
				s[j] = dot(st.V[task][j*m:(j+1)*m], lam) + st.B[task][j]
			}
			y := argmax(tau)
			mx := s[argmax(s)]
			var e float64
			for _, v := range s {
				e += math.Exp(v - mx)
			}
			l := mx + math.Log(e) - s[y]
			sum += l
			sum2 += l * l
		}
		mean := sum / n
		se := math.Sqrt((sum2/n - mean*mean) / n)
		ce, _, err := th.Generalization(st, task)
		if err != nil {
			t.Fatal(err)
		}
		// Two independent estimates of the same mean: allow 4 joint standard errors.
		if tol := 4 * math.Sqrt2 * se; math.Abs(ce-mean) > tol {
			t.Errorf("task %d: order-parameter CE %.4f, sampled %.4f ± %.4f", task+1, ce, mean, se)
		}
	}
}

// TestTheoryMatchesSimulation is the small version of the comparison the theory mode draws: the ODE
// learning curve of task 1 against the mean of 12 one-pass SGD simulations at d = 200, single task
// and multitask with related and unrelated tasks, within 3 standard errors (plus 0.004 for the Monte
// Carlo error of the averages) at every recorded α.
func TestTheoryMatchesSimulation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		r, aux float64
	}{{"single", 0, 0}, {"multitask r=1", 1, 1}, {"multitask r=0", 0, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			th, err := NewTheory(smallSetting(tc.r, tc.aux), 40_000, 40_000, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			curve, err := th.Integrate(context.Background(), 4, 0.25, 1)
			if err != nil {
				t.Fatal(err)
			}
			const seeds = 12
			sum, sum2 := make([]float64, len(curve)), make([]float64, len(curve))
			for s := 0; s < seeds; s++ {
				sim, err := th.Simulate(context.Background(), SimParams{D: 200, AlphaMax: 4, Every: 1, Seed: uint64(s + 1)})
				if err != nil {
					t.Fatal(err)
				}
				if len(sim) != len(curve) {
					t.Fatalf("simulation has %d points, theory %d", len(sim), len(curve))
				}
				for i, p := range sim {
					sum[i] += p.CE
					sum2[i] += p.CE * p.CE
				}
			}
			worst := 0.0
			for i, p := range curve {
				mean := sum[i] / seeds
				sem := math.Sqrt((sum2[i]/seeds - mean*mean) / (seeds - 1))
				if math.Abs(p.CE-mean) > 3*sem+0.004 {
					t.Errorf("α = %g: theory %.4f, simulation %.4f ± %.4f", p.Alpha, p.CE, mean, sem)
				}
				if sem > 0 {
					worst = math.Max(worst, math.Abs(p.CE-mean)/sem)
				}
			}
			t.Logf("largest |theory − simulation| along the curve: %.2f SEM", worst)
			if curve[len(curve)-1].CE > curve[0].CE-0.1 {
				t.Errorf("the theory's loss did not fall: %.3f → %.3f", curve[0].CE, curve[len(curve)-1].CE)
			}
		})
	}
}

// TestHeunStep checks that the integrator is second order and accurate: halving dα from 0.25 moves the
// curve by less than 1.5e-3 and by about a quarter of what halving it from 0.5 did.
func TestHeunStep(t *testing.T) {
	t.Parallel()
	th, _ := NewTheory(smallSetting(0.5, 1), 20_000, 20_000, 1, 1)
	a, _ := th.Integrate(context.Background(), 3, 0.5, 1)
	b, _ := th.Integrate(context.Background(), 3, 0.25, 1)
	c, _ := th.Integrate(context.Background(), 3, 0.125, 1)
	for i := range a {
		ab, bc := math.Abs(a[i].CE-b[i].CE), math.Abs(b[i].CE-c[i].CE)
		if bc > 1.5e-3 || (ab > 1e-4 && bc > ab/2.5) {
			t.Errorf("α = %g: dα = 0.5, 0.25, 0.125 give %.5f, %.5f, %.5f", a[i].Alpha, a[i].CE, b[i].CE, c[i].CE)
		}
	}
}

// TestAverageIndependentOfWorkers checks that the Monte Carlo sums do not depend on how many
// goroutines share them (fixed chunks summed in order).
func TestAverageIndependentOfWorkers(t *testing.T) {
	t.Parallel()
	one, _ := NewTheory(smallSetting(0.3, 1), 10_000, 10_000, 1, 1)
	three, _ := NewTheory(smallSetting(0.3, 1), 10_000, 10_000, 1, 3)
	st := one.Init()
	d1, err1 := one.Derivative(st)
	d3, err3 := three.Derivative(st)
	if err1 != nil || err3 != nil {
		t.Fatal(err1, err3)
	}
	for i := range d1.Q {
		if d1.Q[i] != d3.Q[i] {
			t.Fatalf("dQ[%d]: %v with 1 worker, %v with 3", i, d1.Q[i], d3.Q[i])
		}
	}
}
