package attacks

import (
	"context"
	"fmt"

	"github.com/logitlab/logitlab/logits"
)

// Accuracy returns the fraction of the len(y) samples of x that m classifies correctly (argmax of
// the logits, first index on ties) and which ones.
func Accuracy(m Model, x []float32, y []int) (acc float64, correct []bool, err error) {
	k, classes := len(y), m.Classes()
	if k == 0 || len(x) != k*m.Dim() {
		return 0, nil, fmt.Errorf("attacks: accuracy: %d labels need %d input values, got %d", k, k*m.Dim(), len(x))
	}
	z := make([]float32, k*classes)
	if err := m.Logits(z, x); err != nil {
		return 0, nil, err
	}
	correct = make([]bool, k)
	n := 0
	for i, c := range y {
		if logits.Argmax(z[i*classes:(i+1)*classes]) == c {
			correct[i] = true
			n++
		}
	}
	return float64(n) / float64(k), correct, nil
}

// Robust returns the accuracy of m on a's adversarial versions of x, which ones survive, and
// the adversarial inputs themselves.
func Robust(ctx context.Context, m Model, a Attack, x []float32, y []int) (acc float64, correct []bool, adv []float32, err error) {
	adv = make([]float32, len(x))
	if err := a.Perturb(ctx, m, adv, x, y); err != nil {
		return 0, nil, nil, err
	}
	acc, correct, err = Accuracy(m, adv, y)
	return acc, correct, adv, err
}

// CurvePoint is the robust accuracy at one ε.
type CurvePoint struct {
	Eps float64 `json:"eps"`
	Acc float64 `json:"acc"`
}

// Curve returns the accuracy of m under a at each ε of eps (a.Eps is replaced; ε = 0 gives the
// clean accuracy, and a step size of 0 is re-derived for each ε).
func Curve(ctx context.Context, m Model, a PGD, eps []float64, x []float32, y []int) ([]CurvePoint, error) {
	out := make([]CurvePoint, 0, len(eps))
	for _, e := range eps {
		at := a
		at.Eps = e
		var acc float64
		var err error
		if e == 0 {
			acc, _, err = Accuracy(m, x, y)
		} else {
			acc, _, _, err = Robust(ctx, m, at, x, y)
		}
		if err != nil {
			return nil, fmt.Errorf("attacks: robust accuracy at ε=%g: %w", e, err)
		}
		out = append(out, CurvePoint{Eps: e, Acc: acc})
	}
	return out, nil
}

// Transfer is a black-box attack: it crafts adversarial examples with Attack on Source (say, a
// standard model) and hands them to whatever model is being evaluated, whose gradients it never
// uses.
type Transfer struct {
	Source Model
	Attack Attack
	From   string // the source's name, for Name ("standard")
}

// Name implements Attack: "PGD-40 transfer from standard".
func (t Transfer) Name() string {
	from := t.From
	if from == "" {
		from = "source"
	}
	return t.Attack.Name() + " transfer from " + from
}

// Perturb implements Attack; the target model m is not consulted.
func (t Transfer) Perturb(ctx context.Context, _ Model, dst, x []float32, y []int) error {
	return t.Attack.Perturb(ctx, t.Source, dst, x, y)
}
