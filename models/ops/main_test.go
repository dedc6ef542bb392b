package ops

import (
	"os"
	"testing"

	"github.com/logitlab/logitlab/internal/blas"
)

// TestMain registers the BLAS this binary was built with (OpenBLAS with -tags openblas, gonum
// otherwise), as the program does at start-up.
func TestMain(m *testing.M) {
	blas.Init()
	os.Exit(m.Run())
}
