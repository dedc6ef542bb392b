package attacks

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/logitlab/logitlab/models"
)

// worstLInf is the closed-form L∞ worst case for a two-class linear model with label y: every
// coordinate moves by ε against sign(w_y − w_other), clipped to [0, 1]. It minimizes the margin
// z_y − z_other, which for two classes is the same as maximizing the cross-entropy.
func worstLInf(m *linear, x []float32, y int, eps float64) []float32 {
	out := make([]float32, len(x))
	for j, v := range x {
		dw := m.w[y][j] - m.w[1-y][j]
		t := float64(v) - eps*sign(dw)
		out[j] = float32(math.Min(math.Max(t, 0), 1))
		if dw == 0 {
			out[j] = v
		}
	}
	return out
}

// TestFGSMAndPGDMatchClosedForm: against a two-class linear model the cross-entropy's input
// gradient always points along −(w_y − w_other), so FGSM and L∞ PGD (with enough steps to cross
// the ball, random start or not) both land on the clipped corner exactly, and L2 PGD from x lands
// on x − ε·u, u = (w_y − w_other)/‖w_y − w_other‖₂; the margin then falls by ε‖Δw‖₁ or ε‖Δw‖₂.
func TestFGSMAndPGDMatchClosedForm(t *testing.T) {
	t.Parallel()
	m := randLinear(2, 12, 1)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		lo, hi float64 // where the clean inputs lie: inside (no clipping) or near the edges
		eps    float64
	}{
		{"interior", 0.4, 0.6, 0.1},
		{"clipped at the edges", 0, 1, 0.3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y := labelled(m, 20, tc.lo, tc.hi, 3)
			d := m.Dim()
			want := make([]float32, len(x))
			for i := range y {
				copy(want[i*d:], worstLInf(m, x[i*d:(i+1)*d], y[i], tc.eps))
			}
			for _, a := range []PGD{FGSM(tc.eps), Madry(tc.eps, 10, 1), Madry(tc.eps, 10, 3)} {
				got := make([]float32, len(x))
				if err := a.Perturb(ctx, m, got, x, y); err != nil {
					t.Fatal(err)
				}
				for j := range got {
					if math.Abs(float64(got[j]-want[j])) > 1e-6 {
						t.Fatalf("%s: x'[%d] = %v, closed form %v", a.Name(), j, got[j], want[j])
					}
				}
			}
			if tc.lo > 0 { // the margin drop equals ε‖Δw‖₁ where nothing clips
				got := make([]float32, len(x))
				if err := FGSM(tc.eps).Perturb(ctx, m, got, x, y); err != nil {
					t.Fatal(err)
				}
				for i := range y {
					z0, z1 := m.row(x[i*d:(i+1)*d]), m.row(got[i*d:(i+1)*d])
					var l1 float64
					for j := range m.w[0] {
						l1 += math.Abs(m.w[y[i]][j] - m.w[1-y[i]][j])
					}
					drop := (z0[y[i]] - z0[1-y[i]]) - (z1[y[i]] - z1[1-y[i]])
					if math.Abs(drop-tc.eps*l1) > 1e-5*l1 {
						t.Fatalf("sample %d: margin fell by %v, want ε‖Δw‖₁ = %v", i, drop, tc.eps*l1)
					}
				}
			}
		})
	}
	t.Run("l2 from x", func(t *testing.T) {
		x, y := labelled(m, 10, 0.3, 0.7, 4)
		const eps = 0.2
		d := m.Dim()
		a := PGD{Norm: L2, Eps: eps, Steps: 5}
		got := make([]float32, len(x))
		if err := a.Perturb(ctx, m, got, x, y); err != nil {
			t.Fatal(err)
		}
		for i := range y {
			var n2 float64
			for j := range m.w[0] {
				dw := m.w[y[i]][j] - m.w[1-y[i]][j]
				n2 += dw * dw
			}
			for j := 0; j < d; j++ {
				dw := m.w[y[i]][j] - m.w[1-y[i]][j]
				want := float64(x[i*d+j]) - eps*dw/math.Sqrt(n2)
				if math.Abs(float64(got[i*d+j])-want) > 1e-5 {
					t.Fatalf("sample %d: x'[%d] = %v, closed form %v", i, j, got[i*d+j], want)
				}
			}
		}
	})
}

// TestAttacksRespectBallAndModel is a property test over attack settings on a real MLP: every
// adversarial input lies within ε of its clean input (up to float32 rounding) and in [0, 1], the
// attack is deterministic for a seed, and the model's logits are bit-identical afterwards.
func TestAttacksRespectBallAndModel(t *testing.T) {
	t.Parallel()
	spec := models.Spec{Arch: models.ArchMLP, C: 1, H: 4, W: 4, Classes: 3, Hidden: []int{8}}
	n, err := models.NewNet(spec, 5)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewNetModel(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	rng := rand.New(rand.NewPCG(6, 0))
	const k = 9
	x := make([]float32, k*16)
	for i := range x {
		x[i] = float32(rng.Float64())
		if i%5 == 0 {
			x[i] = float32(rng.IntN(2)) // pixels exactly at the range's ends
		}
	}
	y := make([]int, k)
	for i := range y {
		y[i] = rng.IntN(3)
	}
	probe := make([]float32, k*3)
	if err := m.Logits(probe, x); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for trial := 0; trial < 40; trial++ {
		a := PGD{
			Norm:        []Norm{LInf, L2}[trial%2],
			Eps:         []float64{0.01, 0.1, 0.3, 1, 3}[rng.IntN(5)],
			Steps:       1 + rng.IntN(6),
			RandomStart: rng.IntN(2) == 0,
			Restarts:    1 + rng.IntN(3),
			Loss:        []Loss{LossCE, LossKL}[rng.IntN(2)],
			Seed:        rng.Uint64(),
		}
		got := make([]float32, len(x))
		if err := a.Perturb(ctx, m, got, x, y); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		for i := 0; i < k; i++ {
			var dist float64
			for j := i * 16; j < (i+1)*16; j++ {
				if got[j] < 0 || got[j] > 1 {
					t.Fatalf("%s: x'[%d] = %v outside [0, 1]", a, j, got[j])
				}
				dj := math.Abs(float64(got[j] - x[j]))
				if a.Norm == LInf {
					dist = math.Max(dist, dj)
				} else {
					dist += dj * dj
				}
			}
			if a.Norm == L2 {
				dist = math.Sqrt(dist)
			}
			if dist > a.Eps+1e-6 {
				t.Fatalf("%s: sample %d moved %v > ε", a, i, dist)
			}
		}
		again := make([]float32, len(x))
		if err := a.Perturb(ctx, m, again, x, y); err != nil || !slices.Equal(got, again) {
			t.Fatalf("%s: not deterministic (%v)", a, err)
		}
	}
	after := make([]float32, len(probe))
	if err := m.Logits(after, x); err != nil {
		t.Fatal(err)
	}
	for i := range probe {
		if math.Float32bits(probe[i]) != math.Float32bits(after[i]) {
			t.Fatalf("logit %d changed from %v to %v: an attack changed the model", i, probe[i], after[i])
		}
	}
}

func TestPGDValidate(t *testing.T) {
	t.Parallel()
	m := randLinear(3, 4, 1)
	x, y := labelled(m, 2, 0, 1, 1)
	for _, tc := range []struct {
		name string
		a    PGD
	}{
		{"negative eps", PGD{Eps: -1}},
		{"nan eps", PGD{Eps: math.NaN()}},
		{"bad norm", PGD{Norm: "l1", Eps: 0.1}},
		{"empty range", PGD{Eps: 0.1, Lo: 1, Hi: 1}},
		{"negative steps", PGD{Eps: 0.1, Steps: -2}},
	} {
		if err := tc.a.Perturb(context.Background(), m, make([]float32, len(x)), x, y); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := FGSM(0.1).Perturb(context.Background(), m, x, x, y); err == nil {
		t.Error("dst aliasing x accepted")
	}
	if err := FGSM(0.1).Perturb(context.Background(), m, make([]float32, 3), x, y); err == nil {
		t.Error("short dst accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Madry(0.1, 5, 1).Perturb(ctx, m, make([]float32, len(x)), x, y); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a    Attack
		want string
	}{
		{FGSM(0.3), "FGSM"},
		{FastFGSM(0.3), "FGSM-RS"},
		{Madry(0.3, 40, 1), "PGD-40"},
		{Madry(0.3, 40, 2), "PGD-40×2"},
		{PGD{Norm: L2, Eps: 1, Steps: 10}, "PGD-10 L2"},
		{PGD{Loss: LossKL, Eps: 1, Steps: 10}, "TRADES-KL-10"},
		{Transfer{Attack: Madry(0.3, 40, 1), From: "standard"}, "PGD-40 transfer from standard"},
	} {
		if got := tc.a.Name(); got != tc.want {
			t.Errorf("Name = %q, want %q", got, tc.want)
		}
	}
	if s := Madry(0.3, 40, 1).String(); s != "PGD-40 (linf ε=0.3, step 0.01875, random start)" {
		t.Errorf("String = %q", s)
	}
}

// TestMoreRestartsNeverHelp: restart r of every attack draws from PCG(Seed, r), so the survivors
// of R restarts are a subset of those of fewer; the accuracy can only fall.
func TestMoreRestartsNeverHelp(t *testing.T) {
	t.Parallel()
	m := randLinear(5, 10, 7)
	x, y := labelled(m, 200, 0, 1, 8)
	prev := 2.0
	for _, r := range []int{1, 2, 4} {
		acc, _, _, err := Robust(context.Background(), m, Madry(0.15, 3, r), x, y)
		if err != nil {
			t.Fatal(err)
		}
		if acc > prev {
			t.Errorf("%d restarts: accuracy %v above %v with fewer", r, acc, prev)
		}
		prev = acc
	}
}

func TestCurve(t *testing.T) {
	t.Parallel()
	m := randLinear(4, 10, 9)
	x, y := labelled(m, 100, 0, 1, 10)
	c, err := Curve(context.Background(), m, Madry(0, 10, 1), []float64{0, 0.02, 0.05, 0.1, 1}, x, y)
	if err != nil {
		t.Fatal(err)
	}
	if c[0].Acc != 1 || c[len(c)-1].Acc > 0.05 {
		t.Errorf("curve %v: want clean accuracy 1 and about 0 at ε 1", c)
	}
	if chk := CheckMonotone(c, 0); !chk.Pass {
		t.Errorf("curve %v not monotone: %+v", c, chk)
	}
}

func TestCheckMonotone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		curve []CurvePoint
		pass  bool
	}{
		{"falling", []CurvePoint{{0, 0.9}, {0.1, 0.5}, {0.2, 0.1}}, true},
		{"flat within tol", []CurvePoint{{0, 0.9}, {0.1, 0.905}}, true},
		{"rises", []CurvePoint{{0, 0.9}, {0.1, 0.3}, {0.3, 0.6}}, false},
		{"unsorted but falling", []CurvePoint{{0.2, 0.1}, {0, 0.9}}, true},
	} {
		if c := CheckMonotone(tc.curve, 0.01); c.Pass != tc.pass {
			t.Errorf("%s: pass = %v (%s), want %v", tc.name, c.Pass, c.Detail, tc.pass)
		}
	}
}
