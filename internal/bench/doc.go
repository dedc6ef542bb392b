// Package bench measures logitlab's training throughput and compares it with PyTorch's on the
// same shapes, on the same machine, in the same invocation (`logitlab bench --against-torch`).
//
// # Method
//
// Each run is a child process, so that its peak resident set size is its own: our side re-executes
// the current program with LOGITLAB_BENCH_WORKER=<workload> (main calls MaybeWorker early), the
// PyTorch side runs scripts/torch_bench.py with OPENBLAS_NUM_THREADS=1 (otherwise OpenMP and
// OpenBLAS threads fight over the cores and PyTorch slows 2–3×). Peak RSS is the child's rusage
// ru_maxrss after Wait, for both sides alike.
//
// A run sets the workload up (untimed), runs Warmup steps (untimed), then times steps until it has
// both MinSteps steps and MinTime seconds:
//
//	samples/s = steps · SamplesPerStep / timed seconds
//
// Runs are interleaved to spread load noise (±30% on a shared 2-core VM) over both sides: in each
// of R rounds, for each workload, ours, then PyTorch at 1 thread, then at 2 threads; PyTorch's
// faster thread count counts for that round. Reported:
//
//	ours, PyTorch      = median over rounds of samples/s
//	ratio              = median over rounds of (ours_r / torchbest_r)
//	                   = PyTorch time per sample / ours  (> 1: logitlab is faster)
//	GFLOP/s            = samples/s · FLOPsPerStep / SamplesPerStep / 1e9
//	share of peak      = GFLOP/s / (CPUs × GHz × FLOPs/cycle/core)
//	peak RSS           = largest over rounds (and over PyTorch's thread counts)
//
// FLOPs are model FLOPs: each GEMM or convolution multiply-add counts 2, for the products a step
// computes (forward; dW; dx except for a training step's first layer). Element-wise work, pooling
// and the optimizer are left out, so the share of peak understates the work done on small layers.
// The peak assumes two FMA units per core: 64 fp32 FLOPs/cycle with AVX-512, 32 with AVX2+FMA.
//
// # Adding a workload
//
// Append a Workload literal to the registry (see Workloads): a name, SamplesPerStep,
// FLOPsPerStep (DenseFLOPs, ConvFLOPs, ClassifierFLOPs), a Setup returning one step and its
// cleanup, and TorchName, the workload's name in scripts/torch_bench.py (which must build the
// same layer shapes).
package bench
