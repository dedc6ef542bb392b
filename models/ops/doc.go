// Package ops holds the fast Gorgonia ops of logitlab: each implements Gorgonia's Op interface
// (with UsePreallocDo, SymDiff and DoDiff) and has its own backward ops, in float32 and float64.
//
//	Conv2D(x, w, pad, stride)        NCHW in and out; im2col + a GEMM per sample, or per batch
//	Conv2DBias(x, w, b, pad, stride) the same plus a per-channel bias
//	MaxPool2x2(x)                    2×2, stride 2, argmax kept for the backward
//	SoftmaxCrossEntropy(z, t)        mean CE over the batch from N×K logits and N×K targets
//	CausalConv1D(x, w, d)            y[n,o,t] = Σ_k Σ_c w[o,c,k]·x[n,c,t−(K−1−k)·d], N×C×T
//	CausalConv1DBias(x, w, b, d)     the same plus a per-channel bias
//	CausalConv1DBiasAdd(x, w, b, s, d) s + the same: WaveNet's residual and skip sums, no extra pass
//	Gated(a, b)                      tanh(a)·σ(b)
//	Relu(x)                          max(x, 0)
//
// Each function's doc comment gives its formula and gradient. Targets of SoftmaxCrossEntropy are
// rows of class probabilities: one-hot for hard labels, any distribution for soft ones.
//
// # Compute
//
// Matrix products go through gonum's blas32/blas64, so through whatever internal/blas.Init
// registered (OpenBLAS via cgo, or gonum's pure Go). Everything else (im2col, col2im, pooling,
// activations, layout copies) is split over GOMAXPROCS goroutines. Conv2D runs one GEMM per
// sample, split over our goroutines, each next to its im2col/col2im while the sample's column
// block is in cache, with the output written in NCHW without a copy. That needs every GEMM on
// its caller's thread: OpenBLAS does so by itself up to 262144 multiply-adds (the CNN's first
// layer), and for larger layers the registered BLAS is asked to (serialBLAS: internal/blas's
// OpenBLAS sets its thread count to 1 for the duration); where it cannot be (gonum), larger
// layers run one GEMM per batch plus a layout copy. ReLU, its gradient and max-pooling are
// branch-free (data-dependent branches mispredict on half of random-sign inputs and cost 5–10×
// more). CausalConv1D's products are small in two dimensions (32×32 weights against 8000 steps),
// which OpenBLAS threads poorly, so it cuts them into GEMMs of at most 262144 multiply-adds (run
// single-threaded by OpenBLAS) spread over our goroutines: 225 against 118 GFLOP/s on 2 cores.
// float32 tanh and σ use a table-and-polynomial exp (relative error < 3e-7) that folds the
// gate's scaling and caps into its own clamp; the gate picks its small-|a| form by a bit mask.
//
// On amd64 CPUs with AVX2 the float32 loops that are not GEMMs run eight lanes at a time in
// assembly: max-pooling (pool_amd64.s), the gate and its backward (gate_amd64.s), and the
// bias-row adds, col2im adds and bias-gradient sums (vec_amd64.s). Each performs the scalar
// loop's float32 operations in the same order, so the results are the same bits (the sums
// excepted: they add in 32 partial sums), and each is checked against the scalar loop on special
// values (TestMaxPoolPlaneAVX2, TestGate32AVX2, TestVec32). Other CPUs and architectures run the
// scalar loops. One core: max-pool forward 5× faster, the gate 5.9 → 1.27 ns per element
// (BenchmarkKernelMaxPool, BenchmarkKernelGate).
//
// # Memory, and what Gorgonia's TapeMachine allows
//
//   - Reset sets every register to nil, and UsePreallocDo is called only when a register is still
//     set, which after Reset means never, except for CallsExtern ops, whose preallocation is a
//     fresh allocation each step. So each op keeps its output tensor (and its workspaces: the
//     column matrix, argmax indices, σ(b)) across steps itself: a training step allocates nothing
//     in these ops. The value of a node is overwritten by the next RunAll.
//   - The register allocator gives every node its own register and keeps every value until Reset;
//     only ops that overwrite a dead input reuse memory. Each op keeping its own output therefore
//     costs the sum of all outputs, forward and backward. Plan(g) shares output buffers between
//     nodes whose values are never alive together (a liveness analysis in the machine's execution
//     order), which brings memory to about the peak live set: on the WaveNet benchmark 754 MB of
//     buffers instead of 2507 MB, peak RSS 2.4 GB instead of 5.9 GB.
//   - The machine runs every node of the graph, needed or not: the input gradient of the first
//     convolution during training, the weight gradients during an attack. Build the machine on
//     g.SubgraphRoots(cost, grads...) to run only what the cost and the gradients need.
//
// Because ops hold state, a graph must be run by one machine at a time, and a node's value must be
// read (or copied) before the next RunAll. Build one graph per goroutine, as Gorgonia requires
// anyway.
package ops
