package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Trainer owns one training graph, built once for a batch size, and its TapeMachine, reused for
// every step. It updates the Net's parameters in place with its own optimizer.
type Trainer struct {
	net   *Net
	batch int
	gr    *graph
	grads G.Nodes // d loss / d params, in layout order
	// gradData holds the gradients' backing slices of the last run (reused across steps).
	gradData [][]float32
	vm       G.VM
	opt      *optimizer
	lr       float64
	steps    int64
}

// NewTrainer builds the training graph of n for batches of batch samples and an optimizer
// from opt (defaults applied). Call Close when done.
func NewTrainer(n *Net, batch int, opt OptimSpec) (*Trainer, error) {
	return newTrainer(n, batch, opt, modeLoss)
}

func newTrainer(n *Net, batch int, opt OptimSpec, mode graphMode) (*Trainer, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	opt = opt.WithDefaults()
	gr, err := buildGraph(n.spec, tensor.Float32, batch, n.values, mode)
	if err != nil {
		return nil, err
	}
	// The gradients are read from the nodes Grad returns. BindDualValues would instead
	// accumulate them into the parameters' dual values across runs until zeroed.
	grads, err := G.Grad(gr.loss, gr.params...)
	if err != nil {
		return nil, fmt.Errorf("models: differentiate the loss: %w", err)
	}
	roots := append(G.Nodes{gr.loss}, grads...)
	if mode == modeDistill {
		roots = append(roots, gr.logits) // read by StepDistill to split the loss into its terms
	}
	vm, err := gr.machine(roots...)
	if err != nil {
		return nil, err
	}
	t := &Trainer{
		net:   n,
		batch: batch,
		gr:    gr,
		grads: grads,
		vm:    vm,
		lr:    opt.LR,
	}
	sizes := make([]int, len(n.info))
	for i, p := range n.info {
		sizes[i] = p.shape.TotalSize()
	}
	t.opt = newOptimizer(opt, sizes)
	return t, nil
}

// Batch returns the batch size the graph was built for.
func (t *Trainer) Batch() int { return t.batch }

// Step runs forward and backward on one batch (x: Batch·C·H·W values, NCHW; y: Batch labels),
// checks the loss and every gradient for NaN/±Inf and only then applies the optimizer. It
// returns the batch's mean cross-entropy before the update. On a non-finite value it returns a
// *NonFiniteError naming where and leaves the parameters and optimizer state unchanged.
func (t *Trainer) Step(x []float32, y []int) (loss float64, err error) {
	if len(y) != t.batch {
		return 0, fmt.Errorf("models: train step wants %d labels, got %d", t.batch, len(y))
	}
	if err := checkLabels(y, t.net.spec.Classes); err != nil {
		return 0, err
	}
	setTargets(t.gr.tT.Data().([]float32), y, t.net.spec.Classes, 1/float64(t.batch))
	t.clearSoft()
	return t.step(x)
}

// StepSoft is Step with soft targets, for distillation: p holds Batch rows of Classes target
// probabilities (row-major), and the loss is the mean over the batch of −Σ_c p[i,c]·log
// softmax(z_i)[c]. Rows need not be normalized; each is used as given. It returns an error for
// a wrong length or a negative or non-finite target.
func (t *Trainer) StepSoft(x, p []float32) (loss float64, err error) {
	classes := t.net.spec.Classes
	if len(p) != t.batch*classes {
		return 0, fmt.Errorf("models: soft train step wants %d target values (%d×%d), got %d", t.batch*classes, t.batch, classes, len(p))
	}
	tb := t.gr.tT.Data().([]float32)
	w := float32(1 / float64(t.batch))
	for i, v := range p {
		if !(v >= 0) || math.IsInf(float64(v), 1) {
			return 0, fmt.Errorf("models: soft target %d (sample %d, class %d) is %v, want a finite value >= 0", i, i/classes, i%classes, v)
		}
		tb[i] = v * w
	}
	t.clearSoft()
	return t.step(x)
}

// step runs the graph on x with the targets already set and applies the optimizer.
func (t *Trainer) step(x []float32) (loss float64, err error) {
	defer t.vm.Reset()
	loss, grads, err := t.run(x)
	if err != nil {
		return loss, err
	}
	t.steps++
	for i := range grads {
		t.opt.update(i, t.net.data(i), grads[i], t.lr, t.steps)
	}
	return loss, nil
}

// run writes x into the graph's input, runs it (the targets are already set) and returns the
// loss and the gradients (valid until the caller resets the machine) after checking that all
// are finite.
func (t *Trainer) run(x []float32) (loss float64, grads [][]float32, err error) {
	if dim := t.net.spec.InputDim(); len(x) != t.batch*dim {
		return 0, nil, fmt.Errorf("models: train step wants %d input values (%d samples × %d), got %d", t.batch*dim, t.batch, dim, len(x))
	}
	copy(t.gr.xT.Data().([]float32), x)
	if err := t.vm.RunAll(); err != nil {
		return 0, nil, fmt.Errorf("models: run training graph: %w", err)
	}
	loss = scalar(t.gr.loss.Value())
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, nil, &NonFiniteError{Step: t.steps, Where: "loss", Value: loss}
	}
	grads = t.gradData[:0]
	for i, g := range t.grads {
		d := g.Value().Data().([]float32)
		if j := firstNonFinite(d); j >= 0 {
			return loss, nil, &NonFiniteError{Step: t.steps, Where: "grad/" + t.gr.params[i].Name(), Index: j, Value: float64(d[j])}
		}
		grads = append(grads, d)
	}
	t.gradData = grads
	return loss, grads, nil
}

// SetLR sets the learning rate used from the next step on. It panics if lr is negative, NaN
// or infinite.
func (t *Trainer) SetLR(lr float64) {
	if !(lr >= 0) || math.IsInf(lr, 1) {
		panic(fmt.Sprintf("models: SetLR(%v): learning rate must be finite and >= 0", lr))
	}
	t.lr = lr
}

// LR returns the learning rate of the next step.
func (t *Trainer) LR() float64 { return t.lr }

// Steps returns the number of optimizer steps taken, including those restored from a
// checkpoint.
func (t *Trainer) Steps() int64 { return t.steps }

// Optim returns the optimizer settings with defaults applied; LR is the initial one.
func (t *Trainer) Optim() OptimSpec { return t.opt.spec }

// Close releases the graph's machine. The Net stays usable.
func (t *Trainer) Close() error { return t.vm.Close() }
