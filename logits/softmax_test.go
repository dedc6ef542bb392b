package logits

import (
	"math"
	"testing"
)

func TestLogSoftmaxAndMeanKL(t *testing.T) {
	t.Parallel()
	dst := make([]float64, 3)
	LogSoftmax(dst, []float32{1e4, 0, 0}, 1) // finite for huge logits
	if math.Abs(dst[0]) > 1e-12 || dst[1] != -1e4 {
		t.Errorf("LogSoftmax of (1e4, 0, 0) = %v", dst)
	}
	LogSoftmax(dst, []float64{0, 0, 0}, 4)
	for _, v := range dst {
		if math.Abs(v+math.Log(3)) > 1e-15 {
			t.Errorf("uniform: %v, want -ln 3", dst)
		}
	}
	// KL of identical rows is 0; of (ln 2, 0) against (0, 0) at T = 1 it is
	// (2/3)·ln(4/3) + (1/3)·ln(2/3).
	if kl := MeanKL([]float32{3, 1, 3, 1}, []float32{3, 1, 3, 1}, 2, 5); math.Abs(kl) > 1e-15 {
		t.Errorf("KL of equal rows %v", kl)
	}
	want := 2.0/3*math.Log(4.0/3) + 1.0/3*math.Log(2.0/3)
	if kl := MeanKL([]float64{math.Log(2), 0}, []float64{0, 0}, 2, 1); math.Abs(kl-want) > 1e-15 {
		t.Errorf("KL %v, want %v", kl, want)
	}
}
