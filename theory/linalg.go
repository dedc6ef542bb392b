package theory

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Orthogonal fills dst (rows×cols, row-major) the way PyTorch's nn.init.orthogonal_ does: draw a
// Gaussian matrix, transpose it if it is wide, take Q of its QR factorisation with diag(R) > 0, and
// transpose back. The result has orthonormal rows when rows ≤ cols and orthonormal columns otherwise.
// It panics if len(dst) != rows·cols.
func Orthogonal(dst []float64, rows, cols int, rng *rand.Rand) {
	if len(dst) != rows*cols {
		panic("theory: Orthogonal: len(dst) != rows·cols")
	}
	for i := range dst {
		dst[i] = rng.NormFloat64()
	}
	// Orthonormalise the shorter dimension's vectors: rows when wide, columns when tall. Modified
	// Gram–Schmidt, twice, equals Householder QR with a positive diagonal to rounding.
	n, m := rows, cols // n vectors of length m, vector i at stride
	at := func(i, j int) *float64 { return &dst[i*cols+j] }
	if rows > cols {
		n, m = cols, rows
		at = func(i, j int) *float64 { return &dst[j*cols+i] }
	}
	for i := 0; i < n; i++ {
		for pass := 0; pass < 2; pass++ {
			for k := 0; k < i; k++ {
				var dot float64
				for j := 0; j < m; j++ {
					dot += *at(i, j) * *at(k, j)
				}
				for j := 0; j < m; j++ {
					*at(i, j) -= dot * *at(k, j)
				}
			}
		}
		var nrm float64
		for j := 0; j < m; j++ {
			nrm += *at(i, j) * *at(i, j)
		}
		nrm = math.Sqrt(nrm)
		for j := 0; j < m; j++ {
			*at(i, j) /= nrm
		}
	}
}

// gemm computes C = alpha·op(A)·op(B) + beta·C for row-major dense matrices, op(X) = X or Xᵀ.
// A is (m×k after op), B is (k×n after op), C is m×n.
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, b []float64, beta float64, c []float64) {
	ta, tb := blas.NoTrans, blas.NoTrans
	lda, ldb := k, n
	ar, br := m, k
	if tA {
		ta, lda, ar = blas.Trans, m, k
	}
	if tB {
		tb, ldb, br = blas.Trans, k, n
	}
	blas64.Implementation().Dgemm(ta, tb, m, n, k, alpha, a[:ar*lda], lda, b[:br*ldb], ldb, beta, c[:m*n], n)
}

// symSqrtPinv returns, for a symmetric positive semi-definite n×n matrix c (row-major), its symmetric
// square root S = U·diag(√λ)·Uᵀ and the pseudo-inverse of that root S⁺ = U·diag(1/√λ for λ > tol)·Uᵀ.
// Eigenvalues below tol·max(λ) are treated as zero (they come from singular covariances, e.g. the two
// teachers' fields at r = 1).
func symSqrtPinv(c []float64, n int) (sqrt, pinv []float64, ok bool) {
	sym := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, 0.5*(c[i*n+j]+c[j*n+i]))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return nil, nil, false
	}
	vals := eig.Values(nil)
	var u mat.Dense
	eig.VectorsTo(&u)
	maxv := 0.0
	for _, v := range vals {
		maxv = math.Max(maxv, v)
	}
	tol := 1e-12 * maxv
	sqrt, pinv = make([]float64, n*n), make([]float64, n*n)
	for k, v := range vals {
		if v <= tol {
			continue
		}
		s := math.Sqrt(v)
		for i := 0; i < n; i++ {
			ui := u.At(i, k)
			for j := 0; j < n; j++ {
				p := ui * u.At(j, k)
				sqrt[i*n+j] += s * p
				pinv[i*n+j] += p / s
			}
		}
	}
	return sqrt, pinv, true
}

// stream returns the random source of one purpose of one seed: independent streams, so that what one
// part of a run draws never depends on what another part drew.
func stream(seed uint64, purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x5eed_0000_0000+purpose))
}
