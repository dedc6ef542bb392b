package models

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Evaluator is a forward-only graph for a batch size that binds the Net's parameter tensors,
// so it sees every optimizer step at once.
type Evaluator struct {
	net    *Net
	batch  int
	gr     *graph
	vm     G.VM
	logits []float32 // scratch for Evaluate, one batch
}

// NewEvaluator builds the forward graph of n for batches of batch samples. Call Close when done.
func NewEvaluator(n *Net, batch int) (*Evaluator, error) {
	gr, err := buildGraph(n.spec, tensor.Float32, batch, n.values, modeForward)
	if err != nil {
		return nil, err
	}
	vm, err := gr.machine(gr.logits)
	if err != nil {
		return nil, err
	}
	return &Evaluator{
		net:    n,
		batch:  batch,
		gr:     gr,
		vm:     vm,
		logits: make([]float32, batch*n.spec.Classes),
	}, nil
}

// Logits writes the logits of the k = len(x)/(C·H·W) samples in x (NCHW) into dst (k·Classes,
// row-major), running the graph ⌈k/Batch⌉ times and zero-padding the last partial batch.
func (e *Evaluator) Logits(dst, x []float32) error {
	dim, classes := e.net.spec.InputDim(), e.net.spec.Classes
	if len(x)%dim != 0 {
		return fmt.Errorf("models: logits: %d input values is not a whole number of %d-value samples", len(x), dim)
	}
	k := len(x) / dim
	if len(dst) != k*classes {
		return fmt.Errorf("models: logits: dst holds %d values, want %d (%d samples × %d classes)", len(dst), k*classes, k, classes)
	}
	xb := e.gr.xT.Data().([]float32)
	for lo := 0; lo < k; lo += e.batch {
		n := min(e.batch, k-lo)
		copy(xb, x[lo*dim:(lo+n)*dim])
		clear(xb[n*dim:])
		err := e.vm.RunAll()
		if err == nil {
			copy(dst[lo*classes:(lo+n)*classes], e.gr.logits.Value().Data().([]float32))
		}
		e.vm.Reset()
		if err != nil {
			return fmt.Errorf("models: run forward graph: %w", err)
		}
	}
	return nil
}

// Evaluate returns the mean cross-entropy and the accuracy (argmax, first index on ties) of the
// net over the whole set x (NCHW, len(y) samples) with labels y. The loss is computed in
// float64 from the logits with a max-shifted log-sum-exp; it is NaN or ±Inf if a logit is.
func (e *Evaluator) Evaluate(x []float32, y []int) (loss, acc float64, err error) {
	dim, classes := e.net.spec.InputDim(), e.net.spec.Classes
	if len(y) == 0 {
		return 0, 0, errors.New("models: evaluate: empty set")
	}
	if len(x) != len(y)*dim {
		return 0, 0, fmt.Errorf("models: evaluate: %d labels need %d input values, got %d", len(y), len(y)*dim, len(x))
	}
	if err := checkLabels(y, classes); err != nil {
		return 0, 0, err
	}
	var sum float64
	correct := 0
	for lo := 0; lo < len(y); lo += e.batch {
		n := min(e.batch, len(y)-lo)
		z := e.logits[:n*classes]
		if err := e.Logits(z, x[lo*dim:(lo+n)*dim]); err != nil {
			return 0, 0, err
		}
		for i, c := range y[lo : lo+n] {
			row := z[i*classes : (i+1)*classes]
			nll, best := rowNLL(row, c)
			sum += nll
			if best == c {
				correct++
			}
		}
	}
	return sum / float64(len(y)), float64(correct) / float64(len(y)), nil
}

// rowNLL returns −log softmax(z)[c] = log Σ_k exp(z_k − m) − (z_c − m), m = max z, and argmax z.
func rowNLL(z []float32, c int) (nll float64, argmax int) {
	m := float64(z[0])
	for k, v := range z {
		if float64(v) > m {
			m, argmax = float64(v), k
		}
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	return math.Log(s) - (float64(z[c]) - m), argmax
}

// Batch returns the batch size the graph was built for.
func (e *Evaluator) Batch() int { return e.batch }

// Close releases the graph's machine. The Net stays usable.
func (e *Evaluator) Close() error { return e.vm.Close() }
