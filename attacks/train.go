package attacks

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/logitlab/logitlab/models"
)

// Method is an adversarial-training method.
type Method string

// The adversarial-training methods (see the package doc).
const (
	MethodPGD    Method = "pgd"    // Madry et al.: train on PGD examples
	MethodTRADES Method = "trades" // Zhang et al.: CE on clean inputs + β·KL to the adversarial ones
	MethodFast   Method = "fast"   // Wong et al.: train on FGSM examples from a random start
)

// TrainParams configures adversarial training. Zero optional fields take defaults.
type TrainParams struct {
	Method   Method
	Eps      float64 // L∞ radius of the training attack
	Steps    int     // attack steps for pgd and trades (fast always takes 1); default 10
	StepSize float64 // α; 0: 2.5·ε/Steps for pgd and trades, 1.25·ε for fast
	Beta     float64 // trades: weight of the KL term (default 1, the TRADES MNIST script's value)
	Lo, Hi   float32 // valid input range; both zero mean [0, 1]
}

// WithDefaults fills in Steps, Beta and the input range.
func (p TrainParams) WithDefaults() TrainParams {
	if p.Steps == 0 {
		p.Steps = 10
	}
	if p.Beta == 0 {
		p.Beta = 1
	}
	if p.Lo == 0 && p.Hi == 0 {
		p.Hi = 1
	}
	return p
}

// Validate reports the first problem with p (after WithDefaults).
func (p TrainParams) Validate() error {
	p = p.WithDefaults()
	if p.Method != MethodPGD && p.Method != MethodTRADES && p.Method != MethodFast {
		return fmt.Errorf("attacks: training method %q: want %q, %q or %q", p.Method, MethodPGD, MethodTRADES, MethodFast)
	}
	if !(p.Beta >= 0) || math.IsInf(p.Beta, 1) {
		return fmt.Errorf("attacks: trades beta %v: want a finite value >= 0", p.Beta)
	}
	return p.attack(0).Validate()
}

// attack returns the training attack for a step whose random draws come from seed.
func (p TrainParams) attack(seed uint64) PGD {
	a := PGD{Norm: LInf, Eps: p.Eps, Steps: p.Steps, StepSize: p.StepSize, RandomStart: true, Lo: p.Lo, Hi: p.Hi, Seed: seed}
	switch p.Method {
	case MethodFast:
		a.Steps = 1
		if a.StepSize == 0 {
			a.StepSize = 1.25 * p.Eps
		}
	case MethodTRADES:
		a.Loss, a.RandomStart = LossKL, false
	}
	return a.WithDefaults()
}

// Trainer trains a net adversarially: each Step attacks the batch with the current weights, then
// takes one optimizer step of the wrapped models.Trainer. The models.Trainer owns the optimizer
// state, learning rate and checkpoint format, so an adversarially trained net checkpoints like any
// other.
type Trainer struct {
	tr     *models.Trainer
	m      *NetModel
	trades *models.TRADES // nil unless Method is trades
	p      TrainParams
	adv    []float32
}

// NewTrainer wraps tr, which must train n, with the attack graphs for n at tr's batch size. Call
// Close when done (it does not close tr).
func NewTrainer(n *models.Net, tr *models.Trainer, p TrainParams) (*Trainer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.WithDefaults()
	m, err := NewNetModel(n, tr.Batch())
	if err != nil {
		return nil, err
	}
	t := &Trainer{tr: tr, m: m, p: p, adv: make([]float32, tr.Batch()*m.Dim())}
	if p.Method == MethodTRADES {
		if t.trades, err = models.NewTRADES(n, tr.Batch(), p.Beta); err != nil {
			_ = m.Close()
			return nil, fmt.Errorf("attacks: %w", err)
		}
	}
	return t, nil
}

// Step attacks the batch (x, y) with the training attack, drawing its random start from seed
// (give each step its own, e.g. a hash of the run seed and the step number, so that a resumed run
// repeats an uninterrupted one), and takes one optimizer step. It returns the training loss
// before the update: the cross-entropy on the adversarial batch for pgd and fast, the TRADES
// loss for trades. Errors from the model (a *models.NonFiniteError) leave the weights unchanged.
func (t *Trainer) Step(ctx context.Context, x []float32, y []int, seed uint64) (float64, error) {
	if len(x) != len(t.adv) {
		return 0, fmt.Errorf("attacks: adversarial step wants %d input values, got %d", len(t.adv), len(x))
	}
	if err := t.p.attack(seed).Perturb(ctx, t.m, t.adv, x, y); err != nil {
		return 0, err
	}
	if t.trades != nil {
		return t.tr.StepTRADES(t.trades, x, t.adv, y)
	}
	return t.tr.Step(t.adv, y)
}

// Adversarial returns the adversarial batch of the last Step (valid until the next one).
func (t *Trainer) Adversarial() []float32 { return t.adv }

// Params returns the settings in use (defaults applied).
func (t *Trainer) Params() TrainParams { return t.p }

// SetEps changes the training ε from the next step on. The step size follows ε when it was
// left to its default.
func (t *Trainer) SetEps(eps float64) error {
	q := t.p
	q.Eps = eps
	if err := q.Validate(); err != nil {
		return err
	}
	t.p = q
	return nil
}

// SetSteps changes the number of attack steps (pgd, trades) from the next step on.
func (t *Trainer) SetSteps(steps int) error {
	q := t.p
	q.Steps = steps
	if steps < 1 {
		return fmt.Errorf("attacks: %d attack steps: want >= 1", steps)
	}
	if err := q.Validate(); err != nil {
		return err
	}
	t.p = q
	return nil
}

// SetBeta changes the TRADES weight from the next step on; it is an error for other methods.
func (t *Trainer) SetBeta(beta float64) error {
	if t.trades == nil {
		return fmt.Errorf("attacks: beta is a TRADES setting; this model trains with %s", t.p.Method)
	}
	if !(beta >= 0) || math.IsInf(beta, 1) {
		return fmt.Errorf("attacks: trades beta %v: want a finite value >= 0", beta)
	}
	t.trades.SetBeta(beta)
	t.p.Beta = beta
	return nil
}

// Close releases the attack graphs (not the wrapped models.Trainer).
func (t *Trainer) Close() error {
	err := t.m.Close()
	if t.trades != nil {
		err = errors.Join(err, t.trades.Close())
	}
	return err
}
