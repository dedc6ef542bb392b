package blas

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas"
)

// Info describes the BLAS in use, for logs and the bench report.
type Info struct {
	Impl    string // "openblas" or "gonum (pure Go)"
	Core    string // OpenBLAS kernel family, e.g. "SkylakeX"; empty for gonum
	Threads int    // OpenBLAS threads, or GOMAXPROCS for gonum's goroutines
	Note    string // why this choice, and what to do about it; empty when nothing to say
}

func (i Info) String() string {
	s := i.Impl
	if i.Core != "" {
		s += " core=" + i.Core
	}
	s += fmt.Sprintf(" threads=%d", i.Threads)
	if i.Note != "" {
		s += " (" + i.Note + ")"
	}
	return s
}

// Environment variable names. coreTypeEnv is OpenBLAS's own; markerEnv is ours and holds the
// core we forced ("SkylakeX") or "off:<core>" once that core failed the self-check.
const (
	coreTypeEnv = "OPENBLAS_CORETYPE"
	markerEnv   = "LOGITLAB_OPENBLAS_COREFIX"
	markerOff   = "off:"
)

// genericCores are OpenBLAS kernel families that run on any x86-64 (SSE2/SSE3 era). OpenBLAS
// falls back to one of them when it does not recognise the CPU model.
var genericCores = []string{"prescott", "katmai", "coppermine", "northwood", "core2", "penryn",
	"dunnington", "atom", "banias", "opteron", "opteron_sse3", "athlon", "generic"}

func isGenericCore(core string) bool {
	c := strings.ToLower(strings.TrimSpace(core))
	for _, g := range genericCores {
		if c == g {
			return true
		}
	}
	return false
}

// features is the part of CPUID that decides the kernel; split out so tests can vary it.
type features struct {
	avx512 bool // F, BW, DQ, VL, with OS support for the ZMM state
	avx2   bool // AVX2 and FMA, with OS support for the YMM state
}

func hostFeatures() features {
	return features{
		avx512: cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL,
		avx2:   cpu.X86.HasAVX2 && cpu.X86.HasFMA,
	}
}

// bestCore is the OpenBLAS core to force for these features, or "" if none beats the fallback.
func bestCore(f features) string {
	switch {
	case f.avx512:
		return "SkylakeX"
	case f.avx2:
		return "Haswell"
	}
	return ""
}

type action int

const (
	actNone   action = iota // nothing to do
	actFix                  // re-exec with OPENBLAS_CORETYPE=core, marker=core
	actVerify               // we are the re-executed process: check the forced core
)

// decide says what EnsureCore must do, from the environment, the loaded core and the CPU.
func decide(getenv func(string) string, loaded string, f features) (action, string) {
	marker, userCore := getenv(markerEnv), getenv(coreTypeEnv)
	switch {
	case strings.HasPrefix(marker, markerOff):
		return actNone, ""
	case marker != "" && marker == userCore:
		return actVerify, marker
	case userCore != "":
		return actNone, ""
	case !isGenericCore(loaded):
		return actNone, ""
	}
	if c := bestCore(f); c != "" {
		return actFix, c
	}
	return actNone, ""
}

// fixEnv is env with OPENBLAS_CORETYPE and the marker set to core.
func fixEnv(env []string, core string) []string {
	out := withoutVars(env, coreTypeEnv, markerEnv)
	return append(out, coreTypeEnv+"="+core, markerEnv+"="+core)
}

// revertEnv is env as the user had it (our OPENBLAS_CORETYPE removed) with the fix disabled.
func revertEnv(env []string, failed string) []string {
	out := withoutVars(env, coreTypeEnv, markerEnv)
	return append(out, markerEnv+"="+markerOff+failed)
}

func withoutVars(env []string, names ...string) []string {
	out := make([]string, 0, len(env)+2)
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// selfCheck multiplies a 67×53 by a 53×45 matrix with impl and with a naive loop, in both
// transposition cases that the ops use, and returns an error if any entry differs by more than
// 1e-3 relative to the largest magnitude of the reference.
func selfCheck(impl blas.Float32) error {
	const m, k, n = 67, 53, 45
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	for i := range a {
		a[i] = float32((i*7919)%23)/11 - 1
	}
	for i := range b {
		b[i] = float32((i*104729)%19)/9 - 1
	}
	want := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a[i*k+p]) * float64(b[p*n+j])
			}
			want[i*n+j] = s
		}
	}
	var scale float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	// C = A·B, and C = (Bᵀ)ᵀ·… via Aᵀ stored transposed.
	at := make([]float32, k*m)
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			at[p*m+i] = a[i*k+p]
		}
	}
	for _, tc := range []struct {
		name string
		ta   blas.Transpose
		a    []float32
		lda  int
	}{{"NoTrans", blas.NoTrans, a, k}, {"Trans", blas.Trans, at, m}} {
		c := make([]float32, m*n)
		impl.Sgemm(tc.ta, blas.NoTrans, m, n, k, 1, tc.a, tc.lda, b, n, 0, c, n)
		for i, w := range want {
			if d := math.Abs(float64(c[i]) - w); d > 1e-3*scale || math.IsNaN(float64(c[i])) {
				return fmt.Errorf("blas: SGEMM self-check (%s) failed at entry %d: got %v, want %v", tc.name, i, c[i], w)
			}
		}
	}
	return nil
}
