package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/logitlab/logitlab/models/ops"
)

// The layer builders below are the only places that choose Gorgonia ops for a layer. Each takes
// and returns graph nodes of the graph's dtype and adds the layer's nodes to that graph. conv,
// pool, relu and crossEntropy use the fused ops of models/ops, which keep their outputs and
// workspaces across steps; dense is denseLayer (dense_op.go), the same
// kind of op for x·W + b.

// dense returns x·W + b for x (B×in), W (in×out), b (out), broadcasting b over rows, as one
// op (denseLayer) that keeps its output and its gradients' outputs across steps.
func dense(x, w, b *G.Node) (*G.Node, error) { return denseLayer(x, w, b) }

// conv returns the 3×3, stride 1, pad 1 convolution of x (B×Cin×H×W) with W (Cout×Cin×3×3),
// plus the per-channel bias b (Cout): y[n,o,i,j] = b[o] + Σ_c,u,v W[o,c,u,v]·x[n,c,i+u-1,j+v-1].
// It is ops.Conv2DBias: im2col of the batch and one GEMM, NCHW in and out, bias added on the way.
func conv(x, w, b *G.Node) (*G.Node, error) {
	y, err := ops.Conv2DBias(x, w, b, 1, 1)
	if err != nil {
		return nil, fmt.Errorf("conv 3×3: %w", err)
	}
	return y, nil
}

// pool returns the 2×2, stride 2 max-pool of x (B×C×H×W), giving B×C×⌊H/2⌋×⌊W/2⌋
// (ops.MaxPool2x2, which keeps the argmax for the backward).
func pool(x *G.Node) (*G.Node, error) { return ops.MaxPool2x2(x) }

// relu returns max(x, 0) elementwise (ops.Relu: its output is kept across steps, and its
// gradient is taken from the output).
func relu(x *G.Node) (*G.Node, error) { return ops.Relu(x) }

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
//
// It is B · ops.SoftmaxCrossEntropy(z, T): the fused op computes (1/B) Σ_i [S_i·lse(z_i) −
// Σ_c T[i,c]·z[i,c]] with S_i = Σ_c T[i,c], which is (1/B)·(−Σ T·lsm), and its gradient
// (S_i·softmax(z_i) − T_i)/B, in one pass over the logits without intermediate tensors.
func crossEntropy(logits, target *G.Node) (*G.Node, error) {
	l, err := ops.SoftmaxCrossEntropy(logits, target)
	if err != nil {
		return nil, fmt.Errorf("cross-entropy: %w", err)
	}
	b := logits.Shape()[0]
	var scale *G.Node
	if logits.Dtype() == tensor.Float32 {
		scale = G.NewConstant(float32(b), G.WithName("batch"))
	} else {
		scale = G.NewConstant(float64(b), G.WithName("batch"))
	}
	return G.Mul(l, scale)
}
