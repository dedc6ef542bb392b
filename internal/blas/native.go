//go:build !openblas

package blas

import (
	"runtime"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// Init registers gonum's pure-Go BLAS with Gorgonia and gonum (their default already; done
// explicitly so a later Use elsewhere cannot leave them mixed) and describes it.
func Init() Info {
	G.Use(gonum.Implementation{})
	blas32.Use(gonum.Implementation{})
	blas64.Use(gonum.Implementation{})
	return Info{
		Impl:    "gonum (pure Go)",
		Threads: runtime.GOMAXPROCS(0),
		Note:    "OpenBLAS not linked: build with scripts/build (needs libopenblas-dev)",
	}
}

// EnsureCore has nothing to fix without OpenBLAS; it returns false, nil.
func EnsureCore(args []string) (reexec bool, err error) { return false, nil }
