// Package blas chooses the BLAS implementation that Gorgonia and gonum use, once, at start-up.
//
// Built with the openblas tag (go build -tags openblas, needs libopenblas-dev and cgo), Init
// registers OpenBLAS through gonum.org/v1/netlib with Gorgonia (G.Use), with gorgonia.org/tensor
// (which G.Use forwards to) and with gonum's blas32 and blas64 packages. Without the tag it keeps
// gonum's pure-Go implementation and says so in Info.Note.
//
// # The OpenBLAS kernel problem
//
// OpenBLAS picks its compute kernels from CPUID when the shared library is loaded, before main
// runs. Debian's OpenBLAS 0.3.21 does not know newer Intel models (this VM reports family 6,
// model 167) and falls back to the Prescott (SSE3) kernels: 28 GFLOP/s for a 1024³ SGEMM instead
// of 132 with the SkylakeX (AVX-512) kernels. The only way to change the choice is the
// OPENBLAS_CORETYPE environment variable, read at load time. So EnsureCore, called first thing in
// main, re-executes the program (/proc/self/exe, same arguments) with
//
//	OPENBLAS_CORETYPE = SkylakeX   if the CPU and OS support AVX-512 F, BW, DQ and VL
//	                  = Haswell    else if they support AVX2 and FMA
//
// when the loaded core is a generic fallback (Prescott, Katmai, Core2, …) and the user has not set
// OPENBLAS_CORETYPE. In the same re-execution it sets OPENBLAS_THREAD_TIMEOUT=4 unless the user set
// it: by default idle OpenBLAS threads spin in sched_yield for 2²⁸ cycles after every call and take
// a third of the CPU from the goroutines that run im2col, pooling and activations between GEMMs
// (CNN step 90 → 65 ms on 2 cores; MLP unchanged). A marker variable (LOGITLAB_OPENBLAS_FIX) stops
// loops. In the re-executed process a 67×53·53×45 SGEMM is compared with a naive triple loop
// (relative error ≤ 1e-3); if the check fails the program re-executes once more with the forced
// core removed, and Info.Note says why. A user's own OPENBLAS_CORETYPE and OPENBLAS_THREAD_TIMEOUT
// always win.
//
// Measured on this 2-vCPU VM (Intel, AVX-512; OpenBLAS 0.3.21 picks SkylakeX by itself here, and
// Cooperlake when OPENBLAS_CORETYPE is set but empty), 1024³ SGEMM: SkylakeX 170 GFLOP/s on one
// thread, 344 on two; Haswell 113 / 223; Prescott 44 / 87; gonum 10 / 15.
//
// Both functions change process-wide state (the BLAS registered with Gorgonia and gonum, the
// process image); call them once, from main, before any graph is built.
package blas
