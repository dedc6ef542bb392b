package blas

import (
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func expRun(b *testing.B, m, n, k, reps, workers int) {
	Init()
	impl := blas32.Implementation()
	type buf struct{ a, bb, c []float32 }
	bufs := make([]buf, workers)
	for i := range bufs {
		bufs[i] = buf{make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)}
		for j := range bufs[i].a { bufs[i].a[j] = float32(j%7) }
		for j := range bufs[i].bb { bufs[i].bb[j] = float32(j%5) }
	}
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				bf := bufs[w]
				for r := 0; r < reps/workers; r++ {
					impl.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, bf.a, k, bf.bb, n, 1, bf.c, n)
				}
			}(w)
		}
		wg.Wait()
	}
	b.ReportMetric(2*float64(m*n*k*reps)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkExp(b *testing.B) {
	for _, s := range []struct{ name string; m, n, k int }{
		{"fwd32x8000x32", 32, 8000, 32}, {"conv2_64x196x288", 64, 196, 288}, {"big_64x25088x288", 64, 25088, 288}, {"bigdw_64x288x25088", 64, 288, 25088}, {"bigdcol_288x25088x64", 288, 25088, 64}, {"c1d_32x128000x32", 32, 128000, 32},
	} {
		for _, w := range []int{1, 2} {
			b.Run(s.name+map[int]string{1: "/seq", 2: "/par2"}[w], func(b *testing.B) { expRun(b, s.m, s.n, s.k, map[bool]int{true: 2, false: 16}[s.n*s.k > 1000000 || s.n > 20000], w) })
		}
	}
}
