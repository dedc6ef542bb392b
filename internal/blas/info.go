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

// Environment variable names. coreTypeEnv and threadTimeoutEnv are OpenBLAS's own; markerEnv is
// ours and records a re-execution: markerDone, the core we forced ("SkylakeX"), or "off:<core>"
// once that core failed the self-check.
const (
	coreTypeEnv      = "OPENBLAS_CORETYPE"
	threadTimeoutEnv = "OPENBLAS_THREAD_TIMEOUT"
	markerEnv        = "LOGITLAB_OPENBLAS_FIX"
	markerDone       = "done"
	markerOff        = "off:"

	// threadTimeout makes idle OpenBLAS threads sleep after 2⁴ cycles instead of spinning in
	// sched_yield for 2²⁸: spinning threads took a third of the CPU from the Go goroutines that run
	// im2col, pooling and activations between GEMMs (CNN step 90 → 65 ms, 2 cores).
	threadTimeout = "4"
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
	actFix                  // re-exec with the environment of fixEnv
	actVerify               // we are the re-executed process: check the forced core
)

// fix is what EnsureCore does: the action, the core to force or verify ("" for none), and
// whether to set OPENBLAS_THREAD_TIMEOUT.
type fix struct {
	act     action
	core    string
	timeout bool
}

// decide says what EnsureCore must do, from the environment, the loaded core and the CPU. The
// user's own OPENBLAS_CORETYPE and OPENBLAS_THREAD_TIMEOUT are never replaced.
func decide(getenv func(string) string, loaded string, f features) fix {
	marker, userCore := getenv(markerEnv), getenv(coreTypeEnv)
	switch {
	case strings.HasPrefix(marker, markerOff):
		return fix{}
	case marker != "" && marker != markerDone && marker == userCore:
		return fix{act: actVerify, core: marker}
	case marker != "":
		return fix{} // re-executed already
	}
	var fx fix
	if userCore == "" && isGenericCore(loaded) {
		fx.core = bestCore(f)
	}
	fx.timeout = getenv(threadTimeoutEnv) == ""
	if fx.core != "" || fx.timeout {
		fx.act = actFix
	}
	return fx
}

// fixEnv is env with the changes of fx and the marker.
func fixEnv(env []string, fx fix) []string {
	out := withoutVars(env, markerEnv)
	marker := markerDone
	if fx.core != "" {
		out = append(withoutVars(out, coreTypeEnv), coreTypeEnv+"="+fx.core)
		marker = fx.core
	}
	if fx.timeout {
		out = append(withoutVars(out, threadTimeoutEnv), threadTimeoutEnv+"="+threadTimeout)
	}
	return append(out, markerEnv+"="+marker)
}

// revertEnv is env without the OPENBLAS_CORETYPE we set, and with the core fix disabled.
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
