package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TRADES is the training graph of the TRADES loss (Zhang et al., ICML 2019) for a batch size:
//
//	L = (1/B) Σ_i [ −log p_i[y_i] + β · KL(p_i ‖ q_i) ],
//	p_i = softmax(f(x_i)),  q_i = softmax(f(x'_i)),  KL(p‖q) = Σ_c p_c (log p_c − log q_c),
//
// with x the clean batch and x' its adversarial counterpart (found by maximizing the KL term,
// see InputGrad.GradSoft). The gradient flows through both forward passes, f(x) in the
// cross-entropy and in p, and f(x') in q, as in the authors' code. The graph binds the Net's
// parameter tensors like every other graph; Trainer.StepTRADES applies its gradients with the
// Trainer's optimizer, so a TRADES-trained model checkpoints exactly like any other.
type TRADES struct {
	net   *Net
	batch int
	tg    *tradesGraph
	grads G.Nodes
	vm    G.VM
	beta  float64
}

// tradesGraph is the TRADES loss graph in a dtype (float32 for use, float64 for checks).
type tradesGraph struct {
	*graph               // x, params, clean logits and the cross-entropy (gr.loss)
	xa     *G.Node       // x', B×D or B×C×H×W
	xaT    *tensor.Dense // bound to xa
	wT     *tensor.Dense // B×K, every entry β/B: the KL weights
	total  *G.Node       // CE + β·KL
}

// buildTRADES builds the TRADES loss of spec for batch samples on the given parameter values.
func buildTRADES(spec Spec, dt tensor.Dtype, batch int, values []*tensor.Dense) (*tradesGraph, error) {
	gr, err := buildGraph(spec, dt, batch, values, modeLoss)
	if err != nil {
		return nil, err
	}
	spec = spec.WithDefaults()
	tg := &tradesGraph{graph: gr}
	shape := gr.xT.Shape().Clone()
	tg.xaT = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	tg.xa = G.NewTensor(gr.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("x_adv"), G.WithValue(tg.xaT))
	za, err := forward(spec, tg.xa, gr.params)
	if err != nil {
		return nil, fmt.Errorf("models: build trades adversarial branch: %w", err)
	}
	tg.wT = tensor.New(tensor.Of(dt), tensor.WithShape(batch, spec.Classes))
	w := G.NewMatrix(gr.g, dt, G.WithShape(batch, spec.Classes), G.WithName("kl_weight"), G.WithValue(tg.wT))
	lp, err := logSoftmax(gr.logits)
	if err != nil {
		return nil, err
	}
	lq, err := logSoftmax(za)
	if err != nil {
		return nil, err
	}
	p, err := G.Exp(lp)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(lp, lq)
	if err != nil {
		return nil, err
	}
	pd, err := G.HadamardProd(p, d)
	if err != nil {
		return nil, err
	}
	wpd, err := G.HadamardProd(pd, w)
	if err != nil {
		return nil, err
	}
	kl, err := G.Sum(wpd)
	if err != nil {
		return nil, err
	}
	if tg.total, err = G.Add(gr.loss, kl); err != nil {
		return nil, fmt.Errorf("models: build trades loss: %w", err)
	}
	return tg, nil
}

// set writes the batch into the graph: clean and adversarial inputs, the labels' cross-entropy
// weights 1/B and the KL weights β/B.
func setTRADES[T float32 | float64](tg *tradesGraph, x, xa []T, y []int, classes int, beta float64) {
	b := len(y)
	copy(tg.xT.Data().([]T), x)
	copy(tg.xaT.Data().([]T), xa)
	setTargets(tg.tT.Data().([]T), y, classes, 1/float64(b))
	w := tg.wT.Data().([]T)
	for i := range w {
		w[i] = T(beta / float64(b))
	}
}

// NewTRADES builds the TRADES graph of n for batches of batch samples with weight beta ≥ 0 on
// the KL term. Call Close when done.
func NewTRADES(n *Net, batch int, beta float64) (*TRADES, error) {
	if !(beta >= 0) || math.IsInf(beta, 1) {
		return nil, fmt.Errorf("models: trades beta %v: want a finite value >= 0", beta)
	}
	tg, err := buildTRADES(n.spec, tensor.Float32, batch, n.values)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(tg.total, tg.params...)
	if err != nil {
		return nil, fmt.Errorf("models: differentiate the trades loss: %w", err)
	}
	return &TRADES{net: n, batch: batch, tg: tg, grads: grads, vm: G.NewTapeMachine(tg.g), beta: beta}, nil
}

// SetBeta sets the KL weight used from the next step on. It panics if beta is negative, NaN or
// infinite.
func (g *TRADES) SetBeta(beta float64) {
	if !(beta >= 0) || math.IsInf(beta, 1) {
		panic(fmt.Sprintf("models: SetBeta(%v): beta must be finite and >= 0", beta))
	}
	g.beta = beta
}

// Beta returns the KL weight.
func (g *TRADES) Beta() float64 { return g.beta }

// Batch returns the batch size the graph was built for.
func (g *TRADES) Batch() int { return g.batch }

// Close releases the graph's machine. The Net stays usable.
func (g *TRADES) Close() error { return g.vm.Close() }

// StepTRADES takes one optimizer step on the TRADES loss of g (which must be built on t's Net)
// for the clean batch x, its adversarial counterpart xAdv (same layout) and labels y (Batch
// each). It returns the loss before the update. Like Step it checks the loss and every gradient
// for NaN/±Inf first and on failure returns a *NonFiniteError and changes nothing.
func (t *Trainer) StepTRADES(g *TRADES, x, xAdv []float32, y []int) (loss float64, err error) {
	if g.net != t.net {
		return 0, fmt.Errorf("models: trades step: the TRADES graph was built on another net")
	}
	dim, classes := t.net.spec.InputDim(), t.net.spec.Classes
	if len(y) != g.batch || len(x) != g.batch*dim || len(xAdv) != len(x) {
		return 0, fmt.Errorf("models: trades step wants %d labels and %d values in each input, got %d, %d and %d",
			g.batch, g.batch*dim, len(y), len(x), len(xAdv))
	}
	if err := checkLabels(y, classes); err != nil {
		return 0, err
	}
	setTRADES(g.tg, x, xAdv, y, classes, g.beta)
	defer g.vm.Reset()
	if err := g.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("models: run trades graph: %w", err)
	}
	loss = scalar(g.tg.total.Value())
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, &NonFiniteError{Step: t.steps, Where: "loss", Value: loss}
	}
	grads := make([][]float32, len(g.grads))
	for i, gn := range g.grads {
		grads[i] = gn.Value().Data().([]float32)
		for j, v := range grads[i] {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return loss, &NonFiniteError{Step: t.steps, Where: "grad/" + g.tg.params[i].Name(), Index: j, Value: f}
			}
		}
	}
	t.steps++
	for i := range grads {
		t.opt.update(i, t.net.data(i), grads[i], t.lr, t.steps)
	}
	return loss, nil
}
