//go:build openblas

package blas

/*
#cgo LDFLAGS: -lopenblas
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// loadedCore is the kernel family OpenBLAS chose when it was loaded, e.g. "Prescott".
func loadedCore() string { return C.GoString(C.openblas_get_corename()) }

func openblasThreads() int { return int(C.openblas_get_num_threads()) }

func setOpenblasThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// Init registers OpenBLAS (through gonum.org/v1/netlib) with Gorgonia, gorgonia.org/tensor and
// gonum's blas32/blas64, and describes the kernels it loaded. Call EnsureCore before it.
func Init() Info {
	impl := newOpenBLAS()
	G.Use(impl)
	blas32.Use(impl)
	blas64.Use(impl)
	core := loadedCore()
	return Info{Impl: "openblas", Core: core, Threads: openblasThreads(), Note: note(os.Getenv, core, hostFeatures())}
}

// openBLAS is OpenBLAS through netlib, with Serial for callers that run their own threads.
type openBLAS struct {
	netlib.Implementation
	gate *serialGate
}

// newOpenBLAS returns the implementation Init registers, its Serial gate on OpenBLAS's thread count.
func newOpenBLAS() *openBLAS {
	return &openBLAS{gate: &serialGate{threads: openblasThreads, setThreads: setOpenblasThreads}}
}

// Serial runs fn with OpenBLAS confined to the calling thread: every BLAS call made while fn
// runs, from any goroutine, runs on the thread that made it. Callers that split work over their
// own goroutines (models/ops's per-sample convolutions) use it so that their concurrent GEMMs do
// not contend for OpenBLAS's thread pool.
func (o *openBLAS) Serial(fn func()) {
	o.gate.enter()
	defer o.gate.leave()
	fn()
}

// note explains the kernel choice and what EnsureCore changed, for Info.Note.
func note(getenv func(string) string, core string, f features) string {
	marker, userCore := getenv(markerEnv), getenv(coreTypeEnv)
	var parts []string
	switch {
	case strings.HasPrefix(marker, markerOff):
		parts = append(parts, fmt.Sprintf("OPENBLAS_CORETYPE=%s did not load or failed the SGEMM self-check, so OpenBLAS's own choice (%s) is used; set OPENBLAS_CORETYPE yourself to override",
			strings.TrimPrefix(marker, markerOff), core))
	case marker != "" && marker != markerDone && marker == userCore:
		if !strings.EqualFold(core, marker) {
			parts = append(parts, fmt.Sprintf("OPENBLAS_CORETYPE=%s was ignored by this OpenBLAS (built without DYNAMIC_ARCH?); using %s", marker, core))
		} else {
			parts = append(parts, fmt.Sprintf("OpenBLAS fell back to generic kernels on this CPU; re-executed with OPENBLAS_CORETYPE=%s (SGEMM self-check passed)", marker))
		}
	case userCore != "":
		parts = append(parts, fmt.Sprintf("OPENBLAS_CORETYPE=%s set by the user", userCore))
	case isGenericCore(core):
		if c := bestCore(f); c != "" {
			parts = append(parts, fmt.Sprintf("OpenBLAS chose generic %s kernels for this CPU; call blas.EnsureCore at start-up or set OPENBLAS_CORETYPE=%s (several times faster)", core, c))
		} else {
			parts = append(parts, fmt.Sprintf("OpenBLAS uses generic %s kernels: this CPU has no AVX2", core))
		}
	}
	if t := getenv(threadTimeoutEnv); t == "" {
		parts = append(parts, "idle OpenBLAS threads spin: call blas.EnsureCore at start-up or set OPENBLAS_THREAD_TIMEOUT=4")
	} else if marker != "" {
		parts = append(parts, "OPENBLAS_THREAD_TIMEOUT="+t)
	}
	return strings.Join(parts, "; ")
}

// EnsureCore fixes, before any work is done, the two OpenBLAS settings that are read only when
// the library loads (see the package doc): it forces the fast kernels this CPU supports when
// OpenBLAS fell back to generic ones, and sets OPENBLAS_THREAD_TIMEOUT=4 so that idle OpenBLAS
// threads sleep instead of spinning. The user's own values of both variables win. When something
// must change it re-executes /proc/self/exe with args (os.Args if empty) and the new environment;
// a successful re-exec does not return. The re-executed process verifies a forced core and, if the
// check fails, re-executes once more without it. EnsureCore returns false, nil when nothing had to
// change, and true with the error when a re-exec was needed but failed (the program can go on with
// the current settings). Call it first thing in main, before Init and before starting goroutines.
func EnsureCore(args []string) (reexec bool, err error) {
	if len(args) == 0 {
		args = os.Args
	}
	fx := decide(os.Getenv, loadedCore(), hostFeatures())
	switch fx.act {
	case actFix:
		return true, reexecWith(args, fixEnv(os.Environ(), fx))
	case actVerify:
		verr := verifyCore(fx.core)
		if verr == nil {
			return false, nil
		}
		if err := reexecWith(args, revertEnv(os.Environ(), fx.core)); err != nil {
			return true, errors.Join(verr, err)
		}
	}
	return false, nil
}

// verifyCore checks, in the re-executed process, that OpenBLAS loaded core and that its SGEMM
// agrees with a naive product.
func verifyCore(core string) error {
	if got := loadedCore(); !strings.EqualFold(got, core) {
		return fmt.Errorf("blas: OPENBLAS_CORETYPE=%s ignored, OpenBLAS loaded %s", core, got)
	}
	return selfCheck(netlib.Implementation{})
}

func reexecWith(args, env []string) error {
	if err := syscall.Exec("/proc/self/exe", args, env); err != nil {
		return fmt.Errorf("blas: re-execute %s to select OpenBLAS kernels (continuing with the current ones): %w", args[0], err)
	}
	return nil // not reached
}
