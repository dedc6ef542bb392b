package tui

import "math"

// newRangeSeries is a series that also keeps, for each stored point, the smallest and largest raw
// value it averages (see series.keepRange): memory stays bounded by the same limit.
func newRangeSeries(limit int) *series {
	s := newSeries(limit)
	s.keepRange = true
	s.accLo, s.accHi = math.Inf(1), math.Inf(-1)
	return s
}

// addRange folds the (finite) raw value y into the partial bucket's range.
func (s *series) addRange(y float64) {
	s.accLo, s.accHi = math.Min(s.accLo, y), math.Max(s.accHi, y)
}

// flushRange stores the partial bucket's range with the point just stored and starts a new one.
func (s *series) flushRange() {
	s.lo = append(s.lo, s.accLo)
	s.hi = append(s.hi, s.accHi)
	s.accLo, s.accHi = math.Inf(1), math.Inf(-1)
}

// halveRange merges the ranges of neighbouring stored points, as add merges the points.
func (s *series) halveRange() {
	half := len(s.xs)
	for i := 0; i < half; i++ {
		s.lo[i] = math.Min(s.lo[2*i], s.lo[2*i+1])
		s.hi[i] = math.Max(s.hi[2*i], s.hi[2*i+1])
	}
	s.lo, s.hi = s.lo[:half], s.hi[:half]
}

// ranges returns, for each point of points(), the smallest and largest raw value it stands for.
// Without keepRange both are the point's own y. The slices are fresh copies.
func (s *series) ranges() (lo, hi []float64) {
	if !s.keepRange {
		_, ys := s.points()
		return ys, append([]float64(nil), ys...)
	}
	n := s.len()
	lo = append(make([]float64, 0, n), s.lo...)
	hi = append(make([]float64, 0, n), s.hi...)
	if s.accN > 0 {
		lo = append(lo, s.accLo)
		hi = append(hi, s.accHi)
	}
	return lo, hi
}

// value is the smoothed value after the values added so far (0 before any).
func (e ema) value() float64 {
	if d := 1 - e.wPow; d > 0 {
		return e.a / d
	}
	return e.a
}

// best is the lowest loss and the best test accuracy a run has logged, with their steps, kept on
// every raw value (not on the averaged series) so that downsampling never hides them.
type best struct {
	loss, acc         float64
	lossStep, accStep int64
	hasLoss, hasAcc   bool
}

// addLoss folds in a finite loss at step.
func (b *best) addLoss(step int64, v float64) {
	if !b.hasLoss || v < b.loss {
		b.loss, b.lossStep, b.hasLoss = v, step, true
	}
}

// addAcc folds in a test accuracy at step; non-finite values are ignored, huge ones clamped.
func (b *best) addAcc(step int64, v float64) {
	v, ok := sanitize(v)
	if ok && (!b.hasAcc || v > b.acc) {
		b.acc, b.accStep, b.hasAcc = v, step, true
	}
}

// columns is a series downsampled to the columns of a chart: per column the mean x and y of the
// points that fall in it, and the smallest and largest raw value among them (the envelope).
type columns struct {
	xs, ys, lo, hi []float64
}

// downsample groups the points (xs[i], ys[i]) with raw ranges [lo[i], hi[i]] into n columns of equal
// width over [x0, x1] and returns one point per non-empty column:
//
//	c(x) = min(n−1, ⌊n·(x − x0)/(x1 − x0)⌋),
//	x̄_c = mean of x, ȳ_c = mean of y, lo_c = min lo, hi_c = max hi   over the points in column c.
//
// Points outside [x0, x1] go to the first or last column. Non-finite values are skipped (a point
// with a non-finite x or y is dropped; a non-finite range end falls back to y). It panics if n < 1
// or the slices differ in length, which are programming errors.
func downsample(xs, ys, lo, hi []float64, x0, x1 float64, n int) columns {
	if n < 1 {
		panic("tui: downsample into fewer than 1 column")
	}
	if len(ys) != len(xs) || len(lo) != len(xs) || len(hi) != len(xs) {
		panic("tui: downsample of slices of different lengths")
	}
	var out columns
	width := x1 - x0
	cur, cnt := -1, 0
	var sx, sy, mn, mx float64
	flush := func() {
		if cnt > 0 {
			k := float64(cnt)
			out.xs = append(out.xs, sx/k)
			out.ys = append(out.ys, sy/k)
			out.lo = append(out.lo, mn)
			out.hi = append(out.hi, mx)
		}
		sx, sy, cnt = 0, 0, 0
		mn, mx = math.Inf(1), math.Inf(-1)
	}
	flush()
	for i := range xs {
		x, y := xs[i], ys[i]
		if !finite(x) || !finite(y) {
			continue
		}
		c := 0
		if width > 0 && finite(width) {
			c = min(max(int(float64(n)*(x-x0)/width), 0), n-1)
		}
		if c != cur {
			flush()
			cur = c
		}
		a, b := lo[i], hi[i]
		if !finite(a) {
			a = y
		}
		if !finite(b) {
			b = y
		}
		sx += x
		sy += y
		mn, mx = math.Min(mn, math.Min(a, y)), math.Max(mx, math.Max(b, y))
		cnt++
	}
	flush()
	return out
}
