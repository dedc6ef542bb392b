package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// float is the element type of every kernel in this package.
type float interface{ ~float32 | ~float64 }

// tensorType is the Gorgonia type of a dims-dimensional tensor of the type variable a.
func tensorType(dims int) G.TensorType { return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

// hashOf is the FNV-32a hash of what op.WriteHash writes.
func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// gemm computes C = alpha·op(A)·op(B) + beta·C (row-major) through gonum's blas32/blas64, that is
// through whatever implementation internal/blas registered. It does nothing if m, n or k is 0
// (with beta applied by the caller where it matters).
func gemm[T float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m <= 0 || n <= 0 || k <= 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		blas32.Implementation().Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas64.Implementation().Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// serialBLAS is implemented by a registered BLAS (blas32.Use) that can confine its GEMMs to the
// calling thread while fn runs: internal/blas's OpenBLAS, whose GEMMs above gemmSerialMNK
// otherwise run on its own thread pool.
type serialBLAS interface{ Serial(fn func()) }

// haveSerialBLAS reports whether the registered BLAS implements serialBLAS.
func haveSerialBLAS() bool {
	_, ok := blas32.Implementation().(serialBLAS)
	return ok
}

// serially runs fn with the registered BLAS confined to the calling threads when it can be
// (serialBLAS), and plainly otherwise.
func serially(fn func()) {
	if s, ok := blas32.Implementation().(serialBLAS); ok {
		s.Serial(fn)
		return
	}
	fn()
}

// minParallelWork is the number of element operations below which parallelFor runs inline:
// starting goroutines costs about a microsecond each.
const minParallelWork = 1 << 15

// parallelFor calls fn on contiguous chunks covering [0, n), on up to GOMAXPROCS goroutines when
// n·costPerItem is large enough, and returns when all are done.
func parallelFor(n, costPerItem int, fn func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if p > n {
		p = n
	}
	if p <= 1 || n*costPerItem < minParallelWork {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < p; i++ {
		lo, hi := i*n/p, (i+1)*n/p
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// gemmSerialMNK is the size m·n·k up to which OpenBLAS runs a GEMM on the calling thread
// (interface/gemm.c: SMP_THRESHOLD_MIN·GEMM_MULTITHREAD_THRESHOLD = 65536·4). GEMMs with small m
// and k (32×32 weights against 8000-step sequences) run 2× faster as such chunks spread over our
// own goroutines than as whole GEMMs on OpenBLAS's thread pool, whose threads split m = 32 poorly
// and spin between calls (measured: 225 against 118 GFLOP/s on 2 cores). gonum also gains (19
// against 12 GFLOP/s).
const gemmSerialMNK = 65536 * 4

// gemmCols is the column-chunk width for an m×·×k GEMM: m·cols·k ≤ gemmSerialMNK, at least 32.
func gemmCols(m, k int) int {
	return max(32, gemmSerialMNK/max(1, m*k))
}

// parallelTasks runs fn(worker, task) for every task in [0, n) on up to workers goroutines, each
// taking a contiguous range of tasks; worker < workers indexes per-worker partial sums.
func parallelTasks(n, workers int, fn func(worker, task int)) {
	p := min(workers, n)
	if p <= 1 {
		for t := 0; t < n; t++ {
			fn(0, t)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < p; w++ {
		lo, hi := w*n/p, (w+1)*n/p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := lo; t < hi; t++ {
				fn(w, t)
			}
		}()
	}
	wg.Wait()
}

// maxWorkers is the number of goroutines to use: GOMAXPROCS.
func maxWorkers() int { return runtime.GOMAXPROCS(0) }

// slab is a scratch slice kept across steps; it grows and never shrinks.
type slab struct {
	f32 []float32
	f64 []float64
}

// get returns n elements of the slab, reallocating it if it is too small. The contents are
// whatever was there before.
func get[T float](s *slab, n int) []T {
	var z T
	switch any(z).(type) {
	case float32:
		if cap(s.f32) < n {
			s.f32 = make([]float32, n)
		}
		return any(s.f32[:n]).([]T)
	default:
		if cap(s.f64) < n {
			s.f64 = make([]float64, n)
		}
		return any(s.f64[:n]).([]T)
	}
}

// outCache holds an op's output tensor across steps, so that a TapeMachine that dropped its
// registers (Reset) does not make the op allocate again.
type outCache struct{ t *tensor.Dense }

func (c *outCache) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if c.t == nil || c.t.Dtype() != dt || !c.t.Shape().Eq(shape) {
		c.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
	}
	return c.t
}

// output picks where an op writes: the machine's preallocated value when it is a plain dense
// tensor of the right dtype and shape that shares no memory with the inputs, else the op's own
// cached tensor.
func output(prealloc G.Value, c *outCache, dt tensor.Dtype, shape tensor.Shape, inputs ...G.Value) *tensor.Dense {
	if p, ok := prealloc.(*tensor.Dense); ok && p.Dtype() == dt && p.Shape().Eq(shape) && !p.RequiresIterator() && p.IsNativelyAccessible() {
		alias := false
		for _, in := range inputs {
			if overlaps(p, in) {
				alias = true
				break
			}
		}
		if !alias {
			return p
		}
	}
	return c.get(dt, shape)
}

// overlaps reports whether the memory of a and v intersects.
func overlaps(a *tensor.Dense, v G.Value) bool {
	if v == nil {
		return false
	}
	b, ok := v.(tensor.Memory)
	if !ok {
		return false
	}
	a0, a1 := a.Uintptr(), a.Uintptr()+a.MemSize()
	b0, b1 := b.Uintptr(), b.Uintptr()+b.MemSize()
	return a0 < b1 && b0 < a1
}

// dense returns v as a contiguous row-major *tensor.Dense of dtype dt and the given number of
// dimensions, copying it if it is a strided view.
func dense(v G.Value, dt tensor.Dtype, dims int, what string) (*tensor.Dense, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("ops: %s: expected a *tensor.Dense, got %T", what, v)
	}
	if t.Dtype() != dt {
		return nil, fmt.Errorf("ops: %s: dtype %v, want %v", what, t.Dtype(), dt)
	}
	if dims >= 0 && t.Dims() != dims {
		return nil, fmt.Errorf("ops: %s: shape %v, want %d dimensions", what, t.Shape(), dims)
	}
	if t.RequiresIterator() {
		c, ok := t.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("ops: %s: cannot materialize a %T", what, t)
		}
		t = c
	}
	return t, nil
}

// dtypeOf is the dtype of the first input, which must be float32 or float64.
func dtypeOf(v G.Value) (tensor.Dtype, error) {
	if v == nil {
		return tensor.Dtype{}, fmt.Errorf("ops: nil input value")
	}
	switch dt := v.Dtype(); dt {
	case tensor.Float32, tensor.Float64:
		return dt, nil
	default:
		return dt, fmt.Errorf("ops: dtype %v not supported (want float32 or float64)", dt)
	}
}

// scalarOf reads a scalar gradient value (a *G.F32, *G.F64 or one-element tensor).
func scalarOf(v G.Value) (float64, error) {
	switch s := v.(type) {
	case *G.F32:
		return float64(*s), nil
	case *G.F64:
		return float64(*s), nil
	case *tensor.Dense:
		if s.Shape().TotalSize() == 1 {
			switch s.Dtype() {
			case tensor.Float32:
				return float64(s.Float32s()[0]), nil
			case tensor.Float64:
				return s.Float64s()[0], nil
			}
		}
	}
	return 0, fmt.Errorf("ops: expected a scalar, got %T %v", v, v.Shape())
}

// data is the backing slice of a contiguous dense tensor as []T.
func data[T float](t *tensor.Dense) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(t.Float32s()).([]T)
	}
	return any(t.Float64s()).([]T)
}

// addInto adds src to the gradient held by dst (used by DoDiff: the LispMachine's dual values).
func addInto(dst G.Value, src *tensor.Dense) error {
	d, ok := dst.(*tensor.Dense)
	if !ok || d.Dtype() != src.Dtype() || d.Shape().TotalSize() != src.Shape().TotalSize() {
		return fmt.Errorf("ops: cannot accumulate a %v gradient into %T", src.Shape(), dst)
	}
	switch d.Dtype() {
	case tensor.Float32:
		axpy(d.Float32s(), src.Float32s())
	default:
		axpy(d.Float64s(), src.Float64s())
	}
	return nil
}

func axpy[T float](dst, src []T) {
	for i, v := range src {
		dst[i] += v
	}
}

// shapeOf extracts a tensor.Shape from InferShape's argument.
func shapeOf(d G.DimSizer, what string) (tensor.Shape, error) {
	s, ok := d.(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("ops: %s: expected a tensor.Shape, got %T", what, d)
	}
	return s, nil
}

// addConst sets dst[i] = src[i] + v (in AVX2 for float32 where the CPU has it).
func addConst[T float](dst, src []T, v T) {
	if d, ok := any(dst).([]float32); ok {
		addConst32(d, any(src).([]float32), float32(v))
		return
	}
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = src[i] + v
	}
}

// fill sets every element of dst to v, doubling a copied prefix (memmove is vectorised).
func fill[T float](dst []T, v T) {
	if len(dst) == 0 {
		return
	}
	dst[0] = v
	for n := 1; n < len(dst); n *= 2 {
		copy(dst[n:], dst[:n])
	}
}
