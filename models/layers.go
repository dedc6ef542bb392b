package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The layer builders below are the only places that choose Gorgonia ops for a layer, so that
// faster fused ops (models/ops) can replace one at a time. Each takes and returns graph nodes
// of the graph's dtype and adds the layer's nodes to that graph.

// dense returns x·W + b for x (B×in), W (in×out), b (out), broadcasting b over rows.
func dense(x, w, b *G.Node) (*G.Node, error) {
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, fmt.Errorf("dense x·W: %w", err)
	}
	return G.BroadcastAdd(xw, b, nil, []byte{0})
}

// conv returns the 3×3, stride 1, pad 1 convolution of x (B×Cin×H×W) with W (Cout×Cin×3×3),
// plus the per-channel bias b (Cout): y[n,o,i,j] = b[o] + Σ_c,u,v W[o,c,u,v]·x[n,c,i+u-1,j+v-1].
func conv(x, w, b *G.Node) (*G.Node, error) {
	y, err := G.Conv2d(x, w, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, fmt.Errorf("conv 3×3: %w", err)
	}
	return G.BroadcastAdd(y, b, nil, []byte{0, 2, 3})
}

// pool returns the 2×2, stride 2 max-pool of x (B×C×H×W), giving B×C×⌊H/2⌋×⌊W/2⌋.
func pool(x *G.Node) (*G.Node, error) {
	return G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
}

// relu returns max(x, 0) elementwise.
func relu(x *G.Node) (*G.Node, error) { return G.Rectify(x) }

// logSoftmax returns the row-wise log-softmax of z (B×K), computed stably as
//
//	lsm[i,c] = z[i,c] − m_i − log Σ_k exp(z[i,k] − m_i),   m_i = max_k z[i,k].
//
// Every exponent is ≤ 0 and the sum is ≥ 1, so no row can overflow whatever the other rows
// hold (unlike G.LogSoftMax in tensor v0.9.24, which takes the max from the wrong row).
func logSoftmax(z *G.Node) (*G.Node, error) {
	m, err := G.Max(z, 1)
	if err != nil {
		return nil, fmt.Errorf("log-softmax row max: %w", err)
	}
	shifted, err := G.BroadcastSub(z, m, nil, []byte{1})
	if err != nil {
		return nil, fmt.Errorf("log-softmax shift: %w", err)
	}
	e, err := G.Exp(shifted)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(e, 1)
	if err != nil {
		return nil, err
	}
	lse, err := G.Log(s)
	if err != nil {
		return nil, err
	}
	return G.BroadcastSub(shifted, lse, nil, []byte{1})
}

// crossEntropy returns the scalar −Σ_i Σ_c T[i,c]·lsm[i,c] for logits z (B×K) and target
// weights T (B×K). With T[i,c] = 1/n on each of n real samples' label and 0 elsewhere (padding
// rows all 0) this is the mean cross-entropy over those n samples; soft targets work the same.
func crossEntropy(logits, target *G.Node) (*G.Node, error) {
	lsm, err := logSoftmax(logits)
	if err != nil {
		return nil, err
	}
	p, err := G.HadamardProd(lsm, target)
	if err != nil {
		return nil, fmt.Errorf("cross-entropy T⊙lsm: %w", err)
	}
	s, err := G.Sum(p)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}
