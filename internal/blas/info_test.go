package blas

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDecide(t *testing.T) {
	t.Parallel()
	avx512 := features{avx512: true, avx2: true}
	avx2 := features{avx2: true}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		loaded   string
		f        features
		wantAct  action
		wantCore string
	}{
		{"fallback with AVX-512 forces SkylakeX", nil, "Prescott", avx512, actFix, "SkylakeX"},
		{"fallback with AVX2 forces Haswell", nil, "Core2", avx2, actFix, "Haswell"},
		{"fallback without AVX2 stays", nil, "Prescott", features{}, actNone, ""},
		{"known core stays", nil, "SkylakeX", avx512, actNone, ""},
		{"Haswell on AVX-512 is not a fallback", nil, "Haswell", avx512, actNone, ""},
		{"user core wins", map[string]string{coreTypeEnv: "Sandybridge"}, "Sandybridge", avx512, actNone, ""},
		{"user core wins even if generic", map[string]string{coreTypeEnv: "Prescott"}, "Prescott", avx512, actNone, ""},
		{"re-executed child verifies", map[string]string{coreTypeEnv: "SkylakeX", markerEnv: "SkylakeX"}, "SkylakeX", avx512, actVerify, "SkylakeX"},
		{"child whose core was ignored still verifies (no loop)", map[string]string{coreTypeEnv: "SkylakeX", markerEnv: "SkylakeX"}, "Prescott", avx512, actVerify, "SkylakeX"},
		{"fix disabled after failed check", map[string]string{markerEnv: "off:SkylakeX"}, "Prescott", avx512, actNone, ""},
		{"user changed core after our marker", map[string]string{coreTypeEnv: "Haswell", markerEnv: "SkylakeX"}, "Haswell", avx512, actNone, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			act, core := decide(envOf(tc.env), tc.loaded, tc.f)
			if act != tc.wantAct || core != tc.wantCore {
				t.Errorf("decide = (%v, %q), want (%v, %q)", act, core, tc.wantAct, tc.wantCore)
			}
		})
	}
}

func TestEnvRewrites(t *testing.T) {
	t.Parallel()
	env := []string{"HOME=/root", coreTypeEnv + "=X", markerEnv + "=X", "OPENBLAS_CORETYPEX=keep"}
	got := fixEnv(env, "SkylakeX")
	want := []string{"HOME=/root", "OPENBLAS_CORETYPEX=keep", coreTypeEnv + "=SkylakeX", markerEnv + "=SkylakeX"}
	if !slices.Equal(got, want) {
		t.Errorf("fixEnv = %q, want %q", got, want)
	}
	got = revertEnv(env, "SkylakeX")
	want = []string{"HOME=/root", "OPENBLAS_CORETYPEX=keep", markerEnv + "=off:SkylakeX"}
	if !slices.Equal(got, want) {
		t.Errorf("revertEnv = %q, want %q", got, want)
	}
	if act, _ := decide(envFromList(got), "Prescott", features{avx512: true}); act != actNone {
		t.Errorf("after revert decide = %v, want actNone (no loop)", act)
	}
}

func envFromList(env []string) func(string) string {
	return func(k string) string {
		for _, kv := range env {
			if len(kv) > len(k) && kv[:len(k)+1] == k+"=" {
				return kv[len(k)+1:]
			}
		}
		return ""
	}
}

// badGemm is a BLAS whose Sgemm is off by 1%, to show that selfCheck catches a broken kernel.
type badGemm struct{ gonum.Implementation }

func (b badGemm) Sgemm(ta, tb blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
	b.Implementation.Sgemm(ta, tb, m, n, k, alpha*1.01, a, lda, bb, ldb, beta, c, ldc)
}

func TestSelfCheck(t *testing.T) {
	t.Parallel()
	if err := selfCheck(gonum.Implementation{}); err != nil {
		t.Errorf("gonum: %v", err)
	}
	if err := selfCheck(badGemm{}); err == nil {
		t.Error("selfCheck accepted an SGEMM that is 1% off")
	}
}

func TestInit(t *testing.T) {
	info := Init()
	if info.Impl == "" || info.Threads < 1 {
		t.Fatalf("Init() = %+v", info)
	}
	t.Logf("BLAS: %v", info)
	if err := selfCheck(blas32.Implementation()); err != nil {
		t.Errorf("registered blas32: %v", err)
	}
}

// BenchmarkSgemm1024 times C = A·B for 1024×1024 float32 matrices through blas32 after Init.
// Set OPENBLAS_NUM_THREADS=1 (OpenBLAS) or GOMAXPROCS=1 (gonum) for one thread.
func BenchmarkSgemm1024(b *testing.B) {
	info := Init()
	b.Logf("BLAS: %v, GOMAXPROCS=%d", info, runtime.GOMAXPROCS(0))
	const n = 1024
	mk := func(s float32) blas32.General {
		m := blas32.General{Rows: n, Cols: n, Stride: n, Data: make([]float32, n*n)}
		for i := range m.Data {
			m.Data[i] = s * float32(i%97) / 97
		}
		return m
	}
	x, y, z := mk(1), mk(0.5), mk(0)
	b.ResetTimer()
	for range b.N {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, x, y, 0, z)
	}
	b.ReportMetric(2*math.Pow(n, 3)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
