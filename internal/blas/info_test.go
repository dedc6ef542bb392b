package blas

import (
	"math"
	"runtime"
	"slices"
	"strings"
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
	tmo := map[string]string{threadTimeoutEnv: "10"} // the user's own timeout
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		loaded string
		f      features
		want   fix
	}{
		{"fallback with AVX-512 forces SkylakeX", tmo, "Prescott", avx512, fix{actFix, "SkylakeX", false}},
		{"fallback with AVX2 forces Haswell", tmo, "Core2", avx2, fix{actFix, "Haswell", false}},
		{"fallback without AVX2 stays", tmo, "Prescott", features{}, fix{}},
		{"known core, user timeout: nothing to do", tmo, "SkylakeX", avx512, fix{}},
		{"Haswell on AVX-512 is not a fallback", tmo, "Haswell", avx512, fix{}},
		{"known core, no timeout: re-exec for the timeout only", nil, "SkylakeX", avx512, fix{actFix, "", true}},
		{"fallback, no timeout: both", nil, "Prescott", avx512, fix{actFix, "SkylakeX", true}},
		{"user core wins", with(coreTypeEnv, "Sandybridge", threadTimeoutEnv, "4"), "Sandybridge", avx512, fix{}},
		{"user core wins even if generic", with(coreTypeEnv, "Prescott", threadTimeoutEnv, "4"), "Prescott", avx512, fix{}},
		{"user core kept, timeout added", with(coreTypeEnv, "Prescott"), "Prescott", avx512, fix{actFix, "", true}},
		{"re-executed child verifies", with(coreTypeEnv, "SkylakeX", markerEnv, "SkylakeX"), "SkylakeX", avx512, fix{actVerify, "SkylakeX", false}},
		{"child whose core was ignored still verifies (no loop)", with(coreTypeEnv, "SkylakeX", markerEnv, "SkylakeX"), "Prescott", avx512, fix{actVerify, "SkylakeX", false}},
		{"re-executed for the timeout only", with(markerEnv, markerDone), "SkylakeX", avx512, fix{}},
		{"fix disabled after failed check", with(markerEnv, "off:SkylakeX"), "Prescott", avx512, fix{}},
		{"user changed core after our marker", with(coreTypeEnv, "Haswell", markerEnv, "SkylakeX"), "Haswell", avx512, fix{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide(envOf(tc.env), tc.loaded, tc.f); got != tc.want {
				t.Errorf("decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEnvRewrites(t *testing.T) {
	t.Parallel()
	env := []string{"HOME=/root", coreTypeEnv + "=X", markerEnv + "=X", "OPENBLAS_CORETYPEX=keep"}
	for _, tc := range []struct {
		fx   fix
		want []string
	}{
		{fix{actFix, "SkylakeX", true}, []string{"HOME=/root", "OPENBLAS_CORETYPEX=keep", coreTypeEnv + "=SkylakeX", threadTimeoutEnv + "=4", markerEnv + "=SkylakeX"}},
		{fix{actFix, "", true}, []string{"HOME=/root", coreTypeEnv + "=X", "OPENBLAS_CORETYPEX=keep", threadTimeoutEnv + "=4", markerEnv + "=done"}},
	} {
		if got := fixEnv(env, tc.fx); !slices.Equal(got, tc.want) {
			t.Errorf("fixEnv(%+v) = %q, want %q", tc.fx, got, tc.want)
		}
	}
	got := revertEnv(env, "SkylakeX")
	want := []string{"HOME=/root", "OPENBLAS_CORETYPEX=keep", markerEnv + "=off:SkylakeX"}
	if !slices.Equal(got, want) {
		t.Errorf("revertEnv = %q, want %q", got, want)
	}
	if fx := decide(envFromList(got), "Prescott", features{avx512: true}); fx.act != actNone {
		t.Errorf("after revert decide = %+v, want no action (no loop)", fx)
	}
	if fx := decide(envFromList(fixEnv(nil, fix{actFix, "", true})), "SkylakeX", features{avx512: true}); fx.act != actNone {
		t.Errorf("after the timeout re-exec decide = %+v, want no action (no loop)", fx)
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

func envFromList(env []string) func(string) string {
	return func(k string) string {
		for _, kv := range env {
			if strings.HasPrefix(kv, k+"=") {
				return kv[len(k)+1:]
			}
		}
		return ""
	}
}
