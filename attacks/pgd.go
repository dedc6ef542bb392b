package attacks

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Norm names the ball an attack may move an input in.
type Norm string

// The norms PGD supports.
const (
	LInf Norm = "linf"
	L2   Norm = "l2"
)

// Loss is the objective an attack ascends.
type Loss int

const (
	// LossCE is the cross-entropy with the true label (PGD, FGSM).
	LossCE Loss = iota
	// LossKL is KL(softmax(f(x)) ‖ softmax(f(x'))), the TRADES inner maximization; it needs a
	// SoftModel and starts from x + 0.001·N(0, I) whatever RandomStart says.
	LossKL
)

// Attack perturbs a batch of inputs to make a model misclassify them.
type Attack interface {
	// Name is short, for tables and legends: "FGSM", "PGD-40×2".
	Name() string
	// Perturb writes adversarial versions of the len(y) samples of x into dst (same length, not
	// sharing memory with x). It never changes the model.
	Perturb(ctx context.Context, m Model, dst, x []float32, y []int) error
}

// PGD is projected gradient ascent on the loss within an ε-ball (see the package doc). Zero
// fields take the defaults of WithDefaults; FGSM, FastFGSM and Madry build the usual settings.
type PGD struct {
	Norm        Norm    // LInf (default) or L2
	Eps         float64 // radius of the ball, in input units (pixels in [0, 1])
	Steps       int     // gradient steps, ≥ 1 (default 1)
	StepSize    float64 // α per step; 0: ε for a single step from x, else 2.5·ε/Steps
	RandomStart bool    // start uniformly in the ball instead of at x
	Restarts    int     // independent runs, worst case kept per sample; 0 means 1
	Loss        Loss    // LossCE (default) or LossKL (TRADES)
	Lo, Hi      float32 // valid input range; both zero mean [0, 1]
	Seed        uint64  // restart r draws its random start from PCG(Seed, r)
}

// FGSM is the fast gradient sign method: one step of size ε from x (L∞).
func FGSM(eps float64) PGD { return PGD{Norm: LInf, Eps: eps, Steps: 1, StepSize: eps} }

// FastFGSM is FGSM from a uniform random start with step 1.25·ε, as in "fast" adversarial
// training (Wong, Rice and Kolter, ICLR 2020).
func FastFGSM(eps float64) PGD {
	return PGD{Norm: LInf, Eps: eps, Steps: 1, StepSize: 1.25 * eps, RandomStart: true}
}

// Madry is L∞ PGD with a random start, steps steps of 2.5·ε/steps and restarts restarts.
func Madry(eps float64, steps, restarts int) PGD {
	return PGD{Norm: LInf, Eps: eps, Steps: steps, RandomStart: true, Restarts: restarts}
}

// WithDefaults fills in zero fields: Norm LInf, Steps 1, Restarts 1, [Lo, Hi] = [0, 1], and the
// step size (ε for one step from x, else 2.5·ε/Steps).
func (p PGD) WithDefaults() PGD {
	if p.Norm == "" {
		p.Norm = LInf
	}
	if p.Steps == 0 {
		p.Steps = 1
	}
	if p.Restarts == 0 {
		p.Restarts = 1
	}
	if p.Lo == 0 && p.Hi == 0 {
		p.Hi = 1
	}
	if p.StepSize == 0 && p.Steps > 0 {
		if p.Steps == 1 && !p.RandomStart && p.Loss == LossCE {
			p.StepSize = p.Eps
		} else {
			p.StepSize = 2.5 * p.Eps / float64(p.Steps)
		}
	}
	return p
}

// Validate reports the first problem with p (after WithDefaults), worded for the person who set it.
func (p PGD) Validate() error {
	p = p.WithDefaults()
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case p.Norm != LInf && p.Norm != L2:
		return fmt.Errorf("attacks: norm %q: want %q or %q", p.Norm, LInf, L2)
	case !finite(p.Eps) || p.Eps < 0:
		return fmt.Errorf("attacks: eps %v: want a finite value >= 0", p.Eps)
	case p.Steps < 1 || p.Steps > 100_000:
		return fmt.Errorf("attacks: %d steps: want 1..100000", p.Steps)
	case !finite(p.StepSize) || p.StepSize < 0:
		return fmt.Errorf("attacks: step size %v: want a finite value >= 0", p.StepSize)
	case p.Restarts < 1 || p.Restarts > 1000:
		return fmt.Errorf("attacks: %d restarts: want 1..1000", p.Restarts)
	case p.Loss != LossCE && p.Loss != LossKL:
		return fmt.Errorf("attacks: unknown loss %d", p.Loss)
	case !(p.Lo < p.Hi) || math.IsInf(float64(p.Hi-p.Lo), 0):
		return fmt.Errorf("attacks: input range [%v, %v] is empty or infinite", p.Lo, p.Hi)
	}
	return nil
}

// Name implements Attack: "FGSM", "FGSM-RS", "PGD-40", "PGD-40×2", "TRADES-KL-10", with " L2"
// appended for the L2 ball.
func (p PGD) Name() string {
	p = p.WithDefaults()
	var s string
	switch {
	case p.Loss == LossKL:
		s = fmt.Sprintf("TRADES-KL-%d", p.Steps)
	case p.Steps == 1 && !p.RandomStart:
		s = "FGSM"
	case p.Steps == 1:
		s = "FGSM-RS"
	default:
		s = fmt.Sprintf("PGD-%d", p.Steps)
	}
	if p.Restarts > 1 {
		s += fmt.Sprintf("×%d", p.Restarts)
	}
	if p.Norm == L2 {
		s += " L2"
	}
	return s
}

// String describes every setting: "PGD-40×2 (linf ε=0.3, step 0.01875, random start)".
func (p PGD) String() string {
	p = p.WithDefaults()
	start := "from x"
	if p.Loss == LossKL {
		start = "from x+0.001·N(0,1)"
	} else if p.RandomStart {
		start = "random start"
	}
	return fmt.Sprintf("%s (%s ε=%g, step %g, %s)", p.Name(), p.Norm, p.Eps, p.StepSize, start)
}

// Perturb implements Attack. x must lie in [Lo, Hi]; dst receives points within ε of x (up to
// float32 rounding) and in [Lo, Hi]. It returns ctx.Err() if cancelled between steps, an error
// for bad settings or sizes, and the model's error (such as a *models.NonFiniteError) if a
// gradient fails.
func (p PGD) Perturb(ctx context.Context, m Model, dst, x []float32, y []int) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p = p.WithDefaults()
	dim, classes := m.Dim(), m.Classes()
	k := len(y)
	if k == 0 || len(x) != k*dim || len(dst) != len(x) {
		return fmt.Errorf("attacks: %d labels need %d input and dst values, got %d and %d", k, k*dim, len(x), len(dst))
	}
	if &dst[0] == &x[0] {
		return fmt.Errorf("attacks: dst and x share memory; the attack needs the clean inputs to project onto the ball")
	}
	if p.Eps == 0 {
		copy(dst, x)
		return nil
	}
	var (
		sm     SoftModel
		target []float32 // LossKL: the clean softmax, k×classes
		z      = make([]float32, k*classes)
	)
	if p.Loss == LossKL {
		var ok bool
		if sm, ok = m.(SoftModel); !ok {
			return fmt.Errorf("attacks: the TRADES attack needs soft-target gradients, which this model does not offer")
		}
		if err := m.Logits(z, x); err != nil {
			return err
		}
		target = make([]float32, len(z))
		for i := 0; i < k; i++ {
			softmax(target[i*classes:(i+1)*classes], z[i*classes:(i+1)*classes])
		}
	}
	cur := make([]float32, len(x))
	g := make([]float32, len(x))
	best := make([]float64, k)
	fooled := make([]bool, k)
	for r := 0; r < p.Restarts; r++ {
		p.start(cur, x, dim, rand.New(rand.NewPCG(p.Seed, uint64(r))))
		for s := 0; s < p.Steps; s++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			if p.Loss == LossKL {
				_, err = sm.GradSoft(g, cur, target)
			} else {
				_, err = m.Grad(g, cur, y)
			}
			if err != nil {
				return fmt.Errorf("attacks: %s step %d: %w", p.Name(), s+1, err)
			}
			p.ascend(cur, g, x, dim)
		}
		if p.Restarts == 1 {
			copy(dst, cur)
			return nil
		}
		if err := m.Logits(z, cur); err != nil {
			return err
		}
		for i := 0; i < k; i++ {
			row := z[i*classes : (i+1)*classes]
			var obj float64
			wrong := false
			if p.Loss == LossKL {
				obj = kl(target[i*classes:(i+1)*classes], row)
			} else {
				var pred int
				obj, pred = rowCE(row, y[i])
				wrong = pred != y[i]
			}
			if r == 0 || (!fooled[i] && (wrong || obj > best[i])) {
				copy(dst[i*dim:(i+1)*dim], cur[i*dim:(i+1)*dim])
				best[i], fooled[i] = obj, wrong
			}
		}
	}
	return nil
}

// start writes the starting point of one restart into cur.
func (p PGD) start(cur, x []float32, dim int, rng *rand.Rand) {
	switch {
	case p.Loss == LossKL:
		for j, v := range x {
			cur[j] = v + float32(0.001*rng.NormFloat64())
		}
	case !p.RandomStart:
		copy(cur, x)
		return
	case p.Norm == LInf:
		for j, v := range x {
			cur[j] = v + float32(p.Eps*(2*rng.Float64()-1))
		}
	default: // uniform in the L2 ball: a Gaussian direction, radius ε·U^(1/d)
		for lo := 0; lo < len(x); lo += dim {
			d := cur[lo : lo+dim]
			var n2 float64
			for j := range d {
				v := rng.NormFloat64()
				d[j] = float32(v)
				n2 += v * v
			}
			r := p.Eps * math.Pow(rng.Float64(), 1/float64(dim)) / math.Max(math.Sqrt(n2), 1e-30)
			for j := range d {
				d[j] = x[lo+j] + float32(float64(d[j])*r)
			}
		}
	}
	p.project(cur, x, dim)
}

// ascend takes one step along the gradient g and projects.
func (p PGD) ascend(cur, g, x []float32, dim int) {
	if p.Norm == LInf {
		a := float32(p.StepSize)
		for j, gj := range g {
			switch {
			case gj > 0:
				cur[j] += a
			case gj < 0:
				cur[j] -= a
			}
		}
	} else {
		for lo := 0; lo < len(g); lo += dim {
			var n2 float64
			for _, v := range g[lo : lo+dim] {
				n2 += float64(v) * float64(v)
			}
			if n2 == 0 {
				continue
			}
			s := p.StepSize / math.Sqrt(n2)
			for j := lo; j < lo+dim; j++ {
				cur[j] += float32(float64(g[j]) * s)
			}
		}
	}
	p.project(cur, x, dim)
}

// project moves cur onto the ε-ball around x, then into [Lo, Hi].
func (p PGD) project(cur, x []float32, dim int) {
	if p.Norm == LInf {
		e := float32(p.Eps)
		for j, v := range x {
			lo, hi := max(p.Lo, v-e), min(p.Hi, v+e)
			cur[j] = min(max(cur[j], lo), hi)
		}
		return
	}
	for lo := 0; lo < len(x); lo += dim {
		var n2 float64
		for j := lo; j < lo+dim; j++ {
			d := float64(cur[j] - x[j])
			n2 += d * d
		}
		if n := math.Sqrt(n2); n > p.Eps {
			s := p.Eps / n
			for j := lo; j < lo+dim; j++ {
				cur[j] = x[j] + float32(float64(cur[j]-x[j])*s)
			}
		}
		for j := lo; j < lo+dim; j++ {
			cur[j] = min(max(cur[j], p.Lo), p.Hi)
		}
	}
}

// rowCE returns −log softmax(z)[c] and argmax z (first on ties), in float64.
func rowCE(z []float32, c int) (float64, int) {
	m, arg := float64(z[0]), 0
	for k, v := range z {
		if float64(v) > m {
			m, arg = float64(v), k
		}
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	return math.Log(s) - (float64(z[c]) - m), arg
}

// softmax writes softmax(z) into dst, computed in float64 with the max shifted out.
func softmax(dst, z []float32) {
	m := float64(z[0])
	for _, v := range z {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	for k, v := range z {
		dst[k] = float32(math.Exp(float64(v)-m) / s)
	}
}

// kl returns KL(p ‖ softmax(z)) = Σ_c p_c (log p_c − log softmax(z)_c), with 0·log 0 = 0.
func kl(p, z []float32) float64 {
	m := float64(z[0])
	for _, v := range z {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	lse := m + math.Log(s)
	var d float64
	for c, pc := range p {
		if pc > 0 {
			d += float64(pc) * (math.Log(float64(pc)) - (float64(z[c]) - lse))
		}
	}
	return d
}
