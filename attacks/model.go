package attacks

import (
	"errors"
	"fmt"

	"github.com/logitlab/logitlab/models"
)

// Model is a differentiable classifier as attacks see it. Implementations must not change the
// classifier when asked for logits or gradients.
type Model interface {
	// Dim is the number of input values per sample (C·H·W).
	Dim() int
	// Classes is the number of logits per sample.
	Classes() int
	// Logits writes the logits of the len(x)/Dim() samples in x into dst (row-major).
	Logits(dst, x []float32) error
	// Grad writes ∂L/∂x of the mean cross-entropy L over the len(y) samples of x into dst and
	// returns L.
	Grad(dst, x []float32, y []int) (loss float64, err error)
}

// SoftModel is a Model that can also differentiate the cross-entropy against soft targets p
// (len(x)/Dim() rows of Classes() weights), L = mean_i −Σ_c p[i,c]·log softmax(f(x_i))[c]. The
// TRADES attack needs it.
type SoftModel interface {
	Model
	GradSoft(dst, x, p []float32) (loss float64, err error)
}

// NetModel is a models.Net seen as a SoftModel, through its own input-gradient and forward graphs.
// It binds the net's parameters, so it follows the net as it trains. Like the Net it must be used
// by one goroutine at a time.
type NetModel struct {
	net *models.Net
	ig  *models.InputGrad
	ev  *models.Evaluator
}

// NewNetModel builds the graphs for n, each run batch samples at a time (any number of samples
// works; larger sets run in chunks). Call Close when done.
func NewNetModel(n *models.Net, batch int) (*NetModel, error) {
	ig, err := models.NewInputGrad(n, batch)
	if err != nil {
		return nil, fmt.Errorf("attacks: %w", err)
	}
	ev, err := models.NewEvaluator(n, batch)
	if err != nil {
		_ = ig.Close()
		return nil, fmt.Errorf("attacks: %w", err)
	}
	return &NetModel{net: n, ig: ig, ev: ev}, nil
}

// Net returns the wrapped net.
func (m *NetModel) Net() *models.Net { return m.net }

// Dim implements Model.
func (m *NetModel) Dim() int { return m.net.Spec().InputDim() }

// Classes implements Model.
func (m *NetModel) Classes() int { return m.net.Spec().Classes }

// Logits implements Model.
func (m *NetModel) Logits(dst, x []float32) error { return m.ev.Logits(dst, x) }

// Grad implements Model.
func (m *NetModel) Grad(dst, x []float32, y []int) (float64, error) { return m.ig.Grad(dst, x, y) }

// GradSoft implements SoftModel.
func (m *NetModel) GradSoft(dst, x, p []float32) (float64, error) { return m.ig.GradSoft(dst, x, p) }

// Close releases both graphs.
func (m *NetModel) Close() error { return errors.Join(m.ig.Close(), m.ev.Close()) }
