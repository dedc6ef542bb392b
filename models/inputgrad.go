package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InputGrad computes the gradient of the mean cross-entropy with respect to the input pixels,
// for FGSM and PGD. It binds the Net's parameter tensors (sees every optimizer step) and
// differentiates only with respect to x.
type InputGrad struct {
	net   *Net
	batch int
	gr    *graph
	gx    *G.Node
	vm    G.VM
}

// NewInputGrad builds the input-gradient graph of n for batches of batch samples. Call Close
// when done.
func NewInputGrad(n *Net, batch int) (*InputGrad, error) {
	gr, err := buildGraph(n.spec, tensor.Float32, batch, n.values, modeLoss)
	if err != nil {
		return nil, err
	}
	gs, err := G.Grad(gr.loss, gr.x)
	if err != nil {
		return nil, fmt.Errorf("models: differentiate the loss by the input: %w", err)
	}
	vm, err := gr.machine(gr.loss, gs[0])
	if err != nil {
		return nil, err
	}
	return &InputGrad{net: n, batch: batch, gr: gr, gx: gs[0], vm: vm}, nil
}

// Grad writes into dst (same length as x) the gradient ∂L/∂x of
//
//	L = (1/k) Σ_i −log softmax(f(x_i))[y_i],   k = len(y),
//
// for the k samples in x (NCHW), and returns L. Any k ≥ 1 works: the samples are run Batch at
// a time with the last batch zero-padded (padding rows carry zero loss weight). A NaN or ±Inf
// loss or gradient gives a *NonFiniteError (Where "loss" or "grad/x").
func (g *InputGrad) Grad(dst, x []float32, y []int) (loss float64, err error) {
	dim, classes := g.net.spec.InputDim(), g.net.spec.Classes
	k := len(y)
	if k == 0 || len(x) != k*dim || len(dst) != len(x) {
		return 0, fmt.Errorf("models: input gradient: %d labels need %d input and dst values, got %d and %d", k, k*dim, len(x), len(dst))
	}
	if err := checkLabels(y, classes); err != nil {
		return 0, err
	}
	xb := g.gr.xT.Data().([]float32)
	tb := g.gr.tT.Data().([]float32)
	for lo := 0; lo < k; lo += g.batch {
		n := min(g.batch, k-lo)
		copy(xb, x[lo*dim:(lo+n)*dim])
		clear(xb[n*dim:])
		setTargets(tb, y[lo:lo+n], classes, 1/float64(k))
		err := g.vm.RunAll()
		if err == nil {
			loss += scalar(g.gr.loss.Value())
			copy(dst[lo*dim:(lo+n)*dim], g.gx.Value().Data().([]float32))
		}
		g.vm.Reset()
		if err != nil {
			return 0, fmt.Errorf("models: run input-gradient graph: %w", err)
		}
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, &NonFiniteError{Step: -1, Where: "loss", Value: loss}
	}
	if j := firstNonFinite(dst); j >= 0 {
		return loss, &NonFiniteError{Step: -1, Where: "grad/x", Index: j, Value: float64(dst[j])}
	}
	return loss, nil
}

// Batch returns the batch size the graph was built for.
func (g *InputGrad) Batch() int { return g.batch }

// Close releases the graph's machine. The Net stays usable.
func (g *InputGrad) Close() error { return g.vm.Close() }
