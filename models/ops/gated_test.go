package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGatedForward(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(31, 32))
	a := randDense(r, -6, 6, 2, 3, 50)
	b := randDense(r, -6, 6, 2, 3, 50)
	ad, bd := a.Data().([]float64), b.Data().([]float64)
	ad[0], bd[0] = 1e-5, 100 // tanh near 0, σ saturated
	ad[1], bd[1] = -50, -200 // both saturated
	want := make([]float64, len(ad))
	for i := range want {
		want[i] = math.Tanh(ad[i]) / (1 + math.Exp(-bd[i]))
	}
	build := func(in G.Nodes) (*G.Node, error) { return Gated(in[0], in[1]) }
	if d := maxAbsDiff(forward(t, build, a, b), want); d > 1e-15 {
		t.Errorf("float64: max |y − tanh(a)σ(b)| = %g", d)
	}
	if d := maxAbsDiff(forward(t, build, f32(a), f32(b)), want); d > 3e-7 {
		t.Errorf("float32: max |y − tanh(a)σ(b)| = %g", d)
	}
}

func TestGatedGrad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		shape tensor.Shape
	}{{"vector", tensor.Shape{7}}, {"N×C×T", tensor.Shape{2, 3, 5}}, {"parallel", tensor.Shape{2, 4, 1000}}} {
		gc := gradCase{name: tc.name, shapes: []tensor.Shape{tc.shape, tc.shape}, lo: -3, hi: 3,
			build: func(in G.Nodes) (*G.Node, error) { return Gated(in[0], in[1]) }}
		t.Logf("%s: max FD error %.2g", tc.name, checkGrads(t, gc))
		checkLisp(t, gc)
		checkF32(t, gc, 1e-4)
	}
}

// exp32s against math.Exp over its range, tanh and σ against float64.
func TestFastMath32(t *testing.T) {
	t.Parallel()
	const n = 200001
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(-87.3 + (88.3+87.3)*float64(i)/(n-1))
	}
	e := make([]float32, n)
	exp32s(e, x)
	var worstExp float64
	for i, v := range x {
		want := math.Exp(float64(v))
		worstExp = math.Max(worstExp, math.Abs(float64(e[i])-want)/want)
	}
	a := make([]float32, 4001)
	for i := range a {
		a[i] = float32(-20 + 40*float64(i)/4000)
	}
	a[2000] = 1e-6
	y, sg := make([]float32, len(a)), make([]float32, len(a))
	gate32(y, sg, a, a)
	var worstGate, worstSig float64
	for i, v := range a {
		s := 1 / (1 + math.Exp(-float64(v)))
		worstGate = math.Max(worstGate, math.Abs(float64(y[i])-math.Tanh(float64(v))*s))
		worstSig = math.Max(worstSig, math.Abs(float64(sg[i])-s))
	}
	t.Logf("exp32s max rel err %.2g, tanh·σ max abs err %.2g, σ max abs err %.2g", worstExp, worstGate, worstSig)
	if worstExp > 3e-7 || worstGate > 3e-7 || worstSig > 2e-7 {
		t.Errorf("fast float32 math too inaccurate: exp %g, tanh·σ %g, σ %g", worstExp, worstGate, worstSig)
	}
	if want := float32(1e-6 / (1 + math.Exp(-1e-6))); y[2000] != want {
		t.Errorf("tanh(1e-6)·σ(1e-6) = %v, want %v", y[2000], want)
	}
	nan := float32(math.NaN())
	ext := []float32{100, -100, 0, nan, 1e30, -1e30}
	out := make([]float32, len(ext))
	exp32s(out, ext)
	if out[0] < 2e38 || out[1] > 2e-38 || out[2] != 1 || out[3] == out[3] {
		t.Errorf("exp32s(%v) = %v", ext, out)
	}
	// a = b: tanh(±∞)·σ(±∞) → 1 and 0; σ → 1 and 0; mixed signs below.
	gate32(y[:len(ext)], sg[:len(ext)], ext, ext)
	if y[0] != 1 || math.Abs(float64(y[1])) > 1e-17 || sg[0] != 1 || sg[1] > 1e-17 || y[4] != 1 || y[2] != 0 || y[3] == y[3] {
		t.Errorf("saturation: tanh·σ %v, σ %v", y[:len(ext)], sg[:len(ext)])
	}
	big := []float32{100, 100, -100, 0}
	zero := []float32{0, -100, 0, 100}
	gate32(y[:4], sg[:4], big, zero) // tanh(100)σ(0) = .5, tanh(100)σ(−100) ≈ 0, tanh(−100)σ(0) = −.5, 0
	if y[0] != 0.5 || math.Abs(float64(y[1])) > 1e-17 || y[2] != -0.5 || y[3] != 0 || sg[0] != 0.5 || sg[3] != 1 {
		t.Errorf("mixed saturation: tanh·σ %v, σ %v", y[:4], sg[:4])
	}
}
