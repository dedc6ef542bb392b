package ops

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// recordingSerialBLAS is a BLAS with Serial (serialBLAS) that counts the SGEMMs called inside and
// outside it, computing them with the BLAS registered before it.
type recordingSerialBLAS struct {
	blas.Float32
	inside          atomic.Int32
	confined, freed atomic.Int64
}

func (r *recordingSerialBLAS) Serial(fn func()) {
	r.inside.Add(1)
	defer r.inside.Add(-1)
	fn()
}

func (r *recordingSerialBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if r.inside.Load() > 0 {
		r.confined.Add(1)
	} else {
		r.freed.Add(1)
	}
	r.Float32.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// TestConv2DSerialPerSample checks that with a BLAS that can confine its GEMMs (serialBLAS), a
// layer too large for OpenBLAS's own serial limit runs per sample with every GEMM inside Serial,
// and gives the naive loops' values and gradients; with a batch smaller than GOMAXPROCS it keeps
// the batched GEMM. Not parallel: it swaps the process's blas32 implementation.
func TestConv2DSerialPerSample(t *testing.T) {
	prev := blas32.Implementation()
	rec := &recordingSerialBLAS{Float32: prev}
	blas32.Use(rec)
	defer blas32.Use(prev)
	for _, tc := range batchedConvCases {
		g := newConvGeom(tc.n, tc.c, tc.h, tc.w, tc.o, tc.kh, tc.kw, tc.pad, tc.str)
		g.withBias = tc.bias
		if tc.n < runtime.GOMAXPROCS(0) {
			if g.perSample || g.serial() {
				t.Errorf("%s: batch %d < GOMAXPROCS: perSample %t serial %t, want the batched GEMM", tc.name, tc.n, g.perSample, g.serial())
			}
			continue
		}
		if !g.perSample || !g.serial() {
			t.Fatalf("%s: perSample %t serial %t, want both with a serial BLAS", tc.name, g.perSample, g.serial())
		}
		rec.confined.Store(0)
		rec.freed.Store(0)
		checkConvKernels[float32](t, g, rand.New(rand.NewPCG(41, 42)), 1e-4)
		if rec.freed.Load() != 0 || rec.confined.Load() == 0 {
			t.Errorf("%s: %d SGEMMs outside Serial, %d inside; want all inside", tc.name, rec.freed.Load(), rec.confined.Load())
		}
	}
}
