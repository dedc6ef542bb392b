package tui

import (
	"math"
	"testing"

	"github.com/logitlab/logitlab/lab"
)

func stepAt(step int64, loss float64) lab.StepMetrics { return lab.StepMetrics{Step: step, Loss: loss} }

func TestSanitize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   float64
		want float64
		ok   bool
	}{
		{1.5, 1.5, true},
		{-2, -2, true},
		{1e30, 1e30, true},
		{1e300, maxAbs, true},
		{-1e300, -maxAbs, true},
		{math.MaxFloat64, maxAbs, true},
		{math.NaN(), 0, false},
		{math.Inf(1), 0, false},
		{math.Inf(-1), 0, false},
	} {
		got, ok := sanitize(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("sanitize(%v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestSeriesDownsample adds 10 000 points y = x to a series capped at 64: it must stay within the
// cap, keep x increasing, keep y = x (pairwise means of a line lie on it), and cover the whole range.
func TestSeriesDownsample(t *testing.T) {
	t.Parallel()
	s := newSeries(64)
	for i := 1; i <= 10000; i++ {
		if !s.add(float64(i), float64(i)) {
			t.Fatalf("add(%d) dropped a finite point", i)
		}
	}
	xs, ys := s.points()
	if len(xs) > 64 || len(xs) < 32 {
		t.Fatalf("%d points stored, want between 32 and 64", len(xs))
	}
	for i := range xs {
		if ys[i] != xs[i] {
			t.Fatalf("point %d is (%v, %v), want y = x", i, xs[i], ys[i])
		}
		if i > 0 && xs[i] <= xs[i-1] {
			t.Fatalf("x not increasing at %d: %v after %v", i, xs[i], xs[i-1])
		}
	}
	// The mean of the first bucket and of the last point: buckets are 256 raw points wide here.
	if xs[0] > 200 || xs[len(xs)-1] < 9800 {
		t.Errorf("points cover [%v, %v], want about [1, 10000]", xs[0], xs[len(xs)-1])
	}
}

func TestSeriesDropsNonFinite(t *testing.T) {
	t.Parallel()
	s := newSeries(8)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if s.add(1, v) {
			t.Errorf("add(1, %v) kept the point", v)
		}
		if s.add(v, 1) {
			t.Errorf("add(%v, 1) kept the point", v)
		}
	}
	if s.len() != 0 {
		t.Errorf("series holds %d points, want 0", s.len())
	}
}

// TestEMA checks the debiased EMA against values worked by hand:
// w = 0.5, v = 2, 4: a1 = 1, ŝ1 = 1/(1-0.5) = 2; a2 = 0.5·1 + 0.5·4 = 2.5, ŝ2 = 2.5/(1-0.25) = 10/3.
func TestEMA(t *testing.T) {
	t.Parallel()
	e := newEMA(0.5)
	if got := e.add(2); math.Abs(got-2) > 1e-15 {
		t.Errorf("first smoothed value %v, want 2 (debiased)", got)
	}
	if got := e.add(4); math.Abs(got-10.0/3) > 1e-15 {
		t.Errorf("second smoothed value %v, want 10/3", got)
	}
}

func TestRunStateCountsNonFinite(t *testing.T) {
	t.Parallel()
	s := newRunState(0.6)
	s.apply(stepAt(1, 2.0))
	s.apply(stepAt(2, math.NaN()))
	s.apply(stepAt(3, math.Inf(1)))
	s.apply(stepAt(4, 1.0))
	if s.nonFinite != 2 || s.firstBad != 2 {
		t.Errorf("nonFinite = %d from step %d, want 2 from step 2", s.nonFinite, s.firstBad)
	}
	if s.loss.len() != 2 || s.lossEMA.len() != 2 {
		t.Errorf("kept %d raw and %d smoothed points, want 2 and 2", s.loss.len(), s.lossEMA.len())
	}
}
