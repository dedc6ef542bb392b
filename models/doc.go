// Package models builds the lab's classifiers as Gorgonia graphs and trains them with its own
// optimizers, so that every bit of training state can be checkpointed and the learning rate
// changed live.
//
// # Networks
//
// A Spec names an architecture for inputs of C×H×W pixels (NCHW, float32) and K classes:
//
//	mlp:  x (B×D, D = C·H·W) → [dense → ReLU]* → dense → logits (B×K)
//	cnn:  x (B×C×H×W) → [conv 3×3 pad 1 + bias → ReLU → max-pool 2×2 stride 2]* → flatten
//	      → dense FC → ReLU → dense → logits
//
// with dense(h) = h·W + b (W is in×out). A Net holds the parameters as float32 tensors; their
// names and shapes are fixed by the Spec (see layout), e.g. dense0.W, conv1.b, fc.W, out.b.
// Initialization: He-normal N(0, 2/fan_in) for weights followed by a ReLU, Glorot-uniform
// U(±√(6/(fan_in+fan_out))) for the output layer, zero biases.
//
// # Loss
//
// For logits z (B×K) and target weights T (B×K) the loss is
//
//	L = −Σ_i Σ_c T[i,c] · (z[i,c] − m_i − log Σ_k exp(z[i,k] − m_i)),   m_i = max_k z[i,k]
//
// With T[i,y_i] = 1/B this is the mean cross-entropy; padding rows have T = 0. The max shift
// makes every exponent ≤ 0, so rows cannot overflow and rows far apart from each other do not
// interact. The graph computes it as B · ops.SoftmaxCrossEntropy(z, T), a fused op that takes
// the row max itself (G.LogSoftMax and G.SoftMax in tensor v0.9.24 take it from the wrong row,
// and G.LogSumExp has the wrong formula). Its gradient is ∂L/∂z = softmax(z)·Σ_c T[i,c] − T.
// logSoftmax, the same shift composed from Max, Sub, Exp, Sum and Log, remains for graphs that
// need the log-probabilities themselves (TRADES's KL term).
//
// # Graphs
//
// Gorgonia bakes the batch size into a graph, so each user builds its own graph once for its
// batch size and reuses it: Trainer (loss and ∂L/∂θ), Evaluator (logits only) and InputGrad
// (loss and ∂L/∂x, for FGSM/PGD). All bind the Net's parameter tensors themselves
// (G.WithValue), so an optimizer step, done in place, is seen by every graph at once. Inputs are
// written into the backing slices of tensors bound to the input nodes. The layer builders
// dense, conv, pool, relu and crossEntropy are the only places that pick ops for a layer.
//
// # Compute
//
// Every layer is a fused op with its own backward ops that keeps its output and workspaces
// across steps: conv, pool, relu and the loss are models/ops (im2col + one SGEMM per batch,
// NCHW in and out), dense is denseLayer (x·W + b as one GEMM onto the bias rows; dx = dy·Wᵀ,
// dW = xᵀ·dy by BLAS with transpose flags, db = column sums). Gorgonia's TapeMachine drops
// every register on Reset, so stock ops allocate every intermediate tensor again each step
// (127 MB per CNN step of batch 64); with these ops a step allocates a few kB (the machine's
// own bookkeeping and the scalar loss nodes). Each machine runs the subgraph its outputs need
// (G.SubgraphRoots): the first layer's input gradient is never computed when training, nor
// are weight gradients for an attack. ops.Plan then lets the ops' outputs share buffers when
// their values are never alive together. Hence only a graph's outputs (loss, gradients, or
// logits of a forward-only graph) may be read after a run, and only until the next run.
//
// Two Gorgonia behaviours shape the code. With BindDualValues the tape machine adds each run's
// gradients to the previous ones until they are zeroed, so gradients are read from the nodes
// G.Grad returns instead. And G.Grad fails on a parameter that does not reach the loss, so no
// graph creates one.
//
// # Optimizers
//
// Adam with decoupled weight decay λ (PyTorch's AdamW), step t, gradient g:
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//	θ ← θ·(1 − lr·λ) − (lr/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε)
//
// SGD with momentum μ and L2 weight decay λ (PyTorch's SGD without dampening):
//
//	g ← g + λ·θ,  m ← μ·m + g,  θ ← θ − lr·m
//
// Trainer.Step checks the loss and every gradient for NaN/±Inf before it updates anything and
// reports the first one as a *NonFiniteError. The check sums g·0 (0 unless some g is NaN or
// ±Inf) and the update runs element by element, both split over GOMAXPROCS goroutines for
// large parameters; neither the result nor the error depends on the split. Values too small
// to matter are stored as 0 rather than as float32 subnormals, whose arithmetic is ~60× slower
// (Adam: |g|, |m| < 1e-17 and v < 1e-34; SGD: |g|, |m| < 1e-30), which changes an Adam step
// by at most lr·1e-9/(1−β1ᵗ) at ε = 1e-8 (see flushGrad).
//
// # Checkpoints
//
// Trainer.Snapshot returns param/<name>, adam.m/<name> and adam.v/<name> (or
// sgd.momentum/<name>), optim/steps and optim/lr. The last two hold a uint64 (the step count, or
// the float64 bits of the learning rate) as four 16-bit chunks, each exact in float32, so a
// restored run continues bit for bit like an uninterrupted one.
//
// # Concurrency
//
// A Net and the graphs built on it share memory and must be used by one goroutine at a time.
// Independent Nets may train in parallel.
package models
