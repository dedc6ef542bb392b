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
	}{{"vector", tensor.Shape{7}}, {"N×C×T", tensor.Shape{2, 3, 5}}} {
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
	th, sg := make([]float32, len(a)), make([]float32, len(a))
	tanhSigmoid32(th, sg, a, a)
	var worstTanh, worstSig float64
	for i, v := range a {
		worstTanh = math.Max(worstTanh, math.Abs(float64(th[i])-math.Tanh(float64(v))))
		worstSig = math.Max(worstSig, math.Abs(float64(sg[i])-1/(1+math.Exp(-float64(v)))))
	}
	t.Logf("exp32s max rel err %.2g, tanh max abs err %.2g, sigmoid max abs err %.2g", worstExp, worstTanh, worstSig)
	if worstExp > 3e-7 || worstTanh > 2e-7 || worstSig > 2e-7 {
		t.Errorf("fast float32 math too inaccurate: exp %g, tanh %g, sigmoid %g", worstExp, worstTanh, worstSig)
	}
	if th[2000] != 1e-6 {
		t.Errorf("tanh(1e-6) = %v, want 1e-6", th[2000])
	}
	nan := float32(math.NaN())
	ext := []float32{100, -100, 0, nan, 1e30, -1e30}
	out := make([]float32, len(ext))
	exp32s(out, ext)
	if out[0] < 2e38 || out[1] > 2e-38 || out[2] != 1 || out[3] == out[3] {
		t.Errorf("exp32s(%v) = %v", ext, out)
	}
	tanhSigmoid32(th[:len(ext)], sg[:len(ext)], ext, ext)
	if th[0] != 1 || th[1] != -1 || sg[0] != 1 || sg[1] > 1e-38 || th[4] != 1 || sg[5] > 1e-38 {
		t.Errorf("saturation: tanh %v, sigmoid %v", th[:len(ext)], sg[:len(ext)])
	}
}
