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

// exp32 against math.Exp over its whole range, tanh32 and sigmoid32 against float64.
func TestFastMath32(t *testing.T) {
	t.Parallel()
	var worstExp, worstTanh, worstSig float64
	for i := 0; i <= 200000; i++ {
		x := -87.3 + (88.7+87.3)*float64(i)/200000
		got, want := float64(exp32(float32(x))), math.Exp(float64(float32(x)))
		worstExp = math.Max(worstExp, math.Abs(got-want)/want)
		if math.Abs(x) < 20 {
			y := float32(x)
			worstTanh = math.Max(worstTanh, math.Abs(float64(tanh32(y))-math.Tanh(float64(y))))
			worstSig = math.Max(worstSig, math.Abs(float64(sigmoid32(y))-1/(1+math.Exp(-float64(y)))))
		}
	}
	t.Logf("exp32 max rel err %.2g, tanh32 max abs err %.2g, sigmoid32 max abs err %.2g", worstExp, worstTanh, worstSig)
	if worstExp > 3e-7 || worstTanh > 2e-7 || worstSig > 2e-7 {
		t.Errorf("fast float32 math too inaccurate: exp %g, tanh %g, sigmoid %g", worstExp, worstTanh, worstSig)
	}
	for _, tc := range []struct{ x, want float32 }{
		{100, float32(math.Inf(1))}, {-100, 0}, {0, 1},
	} {
		if got := exp32(tc.x); got != tc.want {
			t.Errorf("exp32(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	if got := exp32(float32(math.NaN())); got == got {
		t.Errorf("exp32(NaN) = %v", got)
	}
	if tanh32(100) != 1 || tanh32(-100) != -1 || sigmoid32(-200) != 0 || sigmoid32(200) != 1 {
		t.Error("saturation wrong")
	}
}
