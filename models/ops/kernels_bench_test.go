package ops

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// Kernel benchmarks: the loops of the ops on plain slices, without Gorgonia's machine, at the
// sizes of the MNIST CNN (conv32-relu-pool-conv64-relu-pool, batch 64). Measure one core with
//
//	GOMAXPROCS=1 OPENBLAS_NUM_THREADS=1 go test -tags openblas -run '^$' -bench Kernel -count 5 ./models/ops

func randSigned32(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.Float64()*2 - 1)
	}
	return v
}

// BenchmarkKernelRelu: 64×32×28×28 (1.6M) random-sign floats, the CNN's first activation.
func BenchmarkKernelRelu(b *testing.B) {
	r := rand.New(rand.NewPCG(21, 22))
	x := randSigned32(r, 64*32*28*28)
	y := make([]float32, len(x))
	b.SetBytes(int64(8 * len(x)))
	b.ResetTimer()
	for range b.N {
		relu(x, y)
	}
}

// BenchmarkKernelReluGrad: dx = dy·[y > 0] over the same 1.6M elements (half of y is 0).
func BenchmarkKernelReluGrad(b *testing.B) {
	r := rand.New(rand.NewPCG(23, 24))
	x := randSigned32(r, 64*32*28*28)
	y := make([]float32, len(x))
	relu(x, y)
	dy := randSigned32(r, len(x))
	dx := make([]float32, len(x))
	b.SetBytes(int64(12 * len(x)))
	b.ResetTimer()
	for range b.N {
		reluGrad(y, dy, dx)
	}
}

// BenchmarkKernelGate: tanh(a)·σ(b) and σ(b) (gate32, as the Gated op calls it, expChunk
// elements at a time) on 64k standard-normal pairs, in cache; ns/elem is per output element.
func BenchmarkKernelGate(b *testing.B) {
	r := rand.New(rand.NewPCG(25, 26))
	const n = 1 << 16
	a, c, y, s := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range a {
		a[i], c[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	for b.Loop() {
		for i := 0; i < n; i += expChunk {
			gate32(y[i:i+expChunk], s[i:i+expChunk], a[i:i+expChunk], c[i:i+expChunk])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
}

var kernelPoolCases = []struct {
	name       string
	n, c, h, w int
}{
	{"64x32x28x28", 64, 32, 28, 28},
	{"64x64x14x14", 64, 64, 14, 14},
}

func BenchmarkKernelMaxPool(b *testing.B) {
	for _, s := range kernelPoolCases {
		r := rand.New(rand.NewPCG(25, 26))
		p := poolGeom{n: s.n, c: s.c, h: s.h, w: s.w}
		x := randSigned32(r, s.n*s.c*s.h*s.w)
		relu(x, x) // pooled values come out of a ReLU: a quarter of the windows are all 0
		y := make([]float32, s.n*s.c*p.oh()*p.ow())
		arg := make([]int32, len(y))
		dy := randSigned32(r, len(y))
		dx := make([]float32, len(x))
		b.Run(s.name+"/forward", func(b *testing.B) {
			for range b.N {
				maxPoolForward(p, x, y, arg)
			}
		})
		b.Run(s.name+"/backward", func(b *testing.B) {
			maxPoolForward(p, x, y, arg)
			b.ResetTimer()
			for range b.N {
				maxPoolBackward(p, dy, dx, arg)
			}
		})
	}
}

var kernelConvCases = []struct {
	name                   string
	n, c, h, o, k, pad, st int
}{
	{"conv1_64x1x28x28_o32", 64, 1, 28, 32, 3, 1, 1},
	{"conv2_64x32x14x14_o64", 64, 32, 14, 64, 3, 1, 1},
	{"conv1_128x1x28x28_o32", 128, 1, 28, 32, 3, 1, 1},
	{"conv2_128x32x14x14_o64", 128, 32, 14, 64, 3, 1, 1},
}

// BenchmarkKernelConv2D times the forward, dx and dW of Conv2DBias / Conv2D on their own (bias
// in the forward; dx and dW after a forward, as in a step: the batched path reuses its column
// matrix, the per-sample path rebuilds each sample's block).
func BenchmarkKernelConv2D(b *testing.B) {
	for _, s := range kernelConvCases {
		r := rand.New(rand.NewPCG(27, 28))
		g := newConvGeom(s.n, s.c, s.h, s.h, s.o, s.k, s.k, s.pad, s.st)
		x := rand32(r, 0, 1, s.n, s.c, s.h, s.h)
		w := rand32(r, -0.1, 0.1, s.o, s.c, s.k, s.k)
		bias := rand32(r, -0.1, 0.1, s.o)
		y := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s.n, s.o, g.OH, g.OW))
		dy := rand32(r, -1, 1, s.n, s.o, g.OH, g.OW)
		dx := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s.n, s.c, s.h, s.h))
		dw := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s.o, s.c, s.k, s.k))
		st := &conv2dState{}
		g.withBias = true
		b.Run(s.name+"/forward", func(b *testing.B) {
			for range b.N {
				conv2dForward[float32](g, st, x, w, bias, y)
			}
		})
		b.Run(s.name+"/dx", func(b *testing.B) {
			conv2dForward[float32](g, st, x, w, bias, y)
			b.ResetTimer()
			for range b.N {
				st.gen++ // a new step: dy must be taken again
				conv2dBackwardX[float32](g, st, w, dy, dx)
			}
		})
		b.Run(s.name+"/dw", func(b *testing.B) {
			conv2dForward[float32](g, st, x, w, bias, y)
			b.ResetTimer()
			for range b.N {
				conv2dBackwardW[float32](g, st, x, dy, dw)
			}
		})
	}
}
