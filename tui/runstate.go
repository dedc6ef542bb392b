package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/logitlab/logitlab/lab"
)

// maxPoints caps every stored series; see the package comment for how it is downsampled.
const maxPoints = 4096

// maxAbs is the largest magnitude a chart is given; larger finite values are clamped to it.
const maxAbs = 1e30

// sanitize returns v clamped to ±maxAbs, and false if v is NaN or ±Inf (the caller drops it).
func sanitize(v float64) (float64, bool) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false
	case v > maxAbs:
		return maxAbs, true
	case v < -maxAbs:
		return -maxAbs, true
	}
	return v, true
}

// series is an append-only (x, y) series of finite values, capped at limit stored points by
// pairwise averaging. Points not yet filling a bucket are kept in acc and shown as one more point.
type series struct {
	xs, ys []float64
	limit  int // most stored points; even
	stride int // raw points per stored point
	accX   float64
	accY   float64
	accN   int
	// With keepRange set, lo and hi hold the smallest and largest raw y of each stored point
	// (accLo, accHi of the partial bucket), for the min/max envelope of compare mode (compare_data.go).
	keepRange    bool
	lo, hi       []float64
	accLo, accHi float64
}

func newSeries(limit int) *series {
	if limit < 2 {
		limit = 2
	}
	limit &^= 1
	return &series{limit: limit, stride: 1}
}

// add appends a point. Non-finite values are dropped (it reports false); big ones are clamped.
func (s *series) add(x, y float64) bool {
	x, okX := sanitize(x)
	y, okY := sanitize(y)
	if !okX || !okY {
		return false
	}
	if s.keepRange {
		s.addRange(y)
	}
	s.accX += x
	s.accY += y
	s.accN++
	if s.accN < s.stride {
		return true
	}
	n := float64(s.accN)
	s.xs = append(s.xs, s.accX/n)
	s.ys = append(s.ys, s.accY/n)
	s.accX, s.accY, s.accN = 0, 0, 0
	if s.keepRange {
		s.flushRange()
	}
	if len(s.xs) >= s.limit {
		half := len(s.xs) / 2
		for i := 0; i < half; i++ {
			s.xs[i] = (s.xs[2*i] + s.xs[2*i+1]) / 2
			s.ys[i] = (s.ys[2*i] + s.ys[2*i+1]) / 2
		}
		s.xs, s.ys = s.xs[:half], s.ys[:half]
		if s.keepRange {
			s.halveRange()
		}
		s.stride *= 2
	}
	return true
}

// points returns the stored points plus the partial bucket, if any. The slices are fresh copies.
func (s *series) points() (xs, ys []float64) {
	n := len(s.xs)
	if s.accN > 0 {
		n++
	}
	xs = make([]float64, 0, n)
	ys = make([]float64, 0, n)
	xs = append(xs, s.xs...)
	ys = append(ys, s.ys...)
	if s.accN > 0 {
		k := float64(s.accN)
		xs = append(xs, s.accX/k)
		ys = append(ys, s.accY/k)
	}
	return xs, ys
}

// len is the number of points points() returns.
func (s *series) len() int {
	if s.accN > 0 {
		return len(s.xs) + 1
	}
	return len(s.xs)
}

// ema is the debiased exponential moving average of the package comment.
type ema struct {
	w    float64 // weight of the past, in [0, 1)
	a    float64
	wPow float64 // wⁿ
}

func newEMA(w float64) ema { return ema{w: w, wPow: 1} }

// add folds in v (finite) and returns the smoothed value.
func (e *ema) add(v float64) float64 {
	e.a = e.w*e.a + (1-e.w)*v
	e.wPow *= e.w
	if d := 1 - e.wPow; d > 0 {
		return e.a / d
	}
	return v
}

// noteLevel orders how a line of text is styled.
type noteLevel int

const (
	levelInfo noteLevel = iota
	levelWarn
	levelError
)

// note is one line of text with a level.
type note struct {
	text  string
	level noteLevel
}

// runState is what a model knows about one run, built incrementally from its events.
type runState struct {
	seen int // events already applied (the index for Run.Since)

	loss     *series // per step, raw (clamped) values
	lossEMA  *series // per step, smoothed before downsampling
	acc      *series // per evaluation
	smoother ema

	step      lab.StepMetrics
	hasStep   bool
	firstStep int64 // the first step logged (a resumed run's history starts at 1 too)
	eval      lab.EpochSummary
	hasEval   bool
	progress  lab.Progress
	hasProg   bool
	nonFinite int   // loss values dropped as NaN or ±Inf
	firstBad  int64 // step of the first dropped loss value
	badAcc    int   // accuracy values dropped
	best      best  // lowest loss and best test accuracy so far, at full resolution (compare_data.go)

	last    note     // latest thing the run said, for the run line
	answers []answer // replies to Set commands since the model last looked (see takeAnswers)
	changes []change // who changed what when, oldest first, at most maxChanges

	ex     extras               // generic experiment events and extra named values
	weight float64              // EMA weight, for the extra losses
	cache  map[string]paneCache // rendered generic panes, by pane key
}

func newRunState(smoothing float64) *runState {
	return &runState{
		loss:     newRangeSeries(maxPoints),
		lossEMA:  newSeries(maxPoints),
		acc:      newSeries(maxPoints),
		smoother: newEMA(smoothing),
		ex:       newExtras(),
		weight:   smoothing,
		cache:    map[string]paneCache{},
	}
}

// pull applies the events of r that this state has not seen. It reports whether anything changed.
func (s *runState) pull(r *lab.Run) bool {
	evs, n := r.Since(s.seen)
	s.seen = n
	for _, ev := range evs {
		s.logChange(ev)
		s.apply(ev.Body)
	}
	return len(evs) > 0
}

// apply folds one event body into the state.
func (s *runState) apply(b lab.Body) {
	switch v := b.(type) {
	case lab.Started:
		msg := "started " + v.Experiment
		if v.Resumed {
			msg = fmt.Sprintf("resumed %s from step %d", v.Experiment, v.FromStep)
		}
		if v.Note != "" {
			msg += ": " + v.Note
		}
		s.last = note{msg, levelInfo}
	case lab.StepMetrics:
		if !s.hasStep {
			s.firstStep = v.Step
		}
		s.step, s.hasStep = v, true
		x := float64(v.Step)
		if len(v.Series) > 0 {
			s.ex.addNamed(s.ex.lossExtra, &s.ex.lossOrd, v.Series, x, s.weight, true)
		}
		if !s.loss.add(x, v.Loss) {
			if s.nonFinite == 0 {
				s.firstBad = v.Step
			}
			s.nonFinite++
			return
		}
		y, _ := sanitize(v.Loss)
		s.lossEMA.add(x, s.smoother.add(y))
		s.best.addLoss(v.Step, y)
	case lab.EpochSummary:
		s.eval, s.hasEval = v, true
		if len(v.Extra) > 0 {
			s.ex.addNamed(s.ex.evalExtra, &s.ex.evalOrd, v.Extra, float64(v.Step), s.weight, false)
		}
		if !s.acc.add(float64(v.Step), v.TestAcc) {
			s.badAcc++
		} else {
			s.best.addAcc(v.Step, v.TestAcc)
		}
	case lab.Progress:
		s.progress, s.hasProg = v, true
	case lab.SettingApplied:
		s.answers = append(s.answers, answer{by: v.By, name: v.Name, value: v.Value, step: v.Step})
		s.last = note{fmt.Sprintf("%s = %s at step %d%s", v.Name, fmtNum(v.Value), v.Step, byWhom(v.By)), levelInfo}
	case lab.StatusChanged:
		s.last = note{fmt.Sprintf("%s at step %d%s", v.Status, v.Step, byWhom(v.By)), levelInfo}
	case lab.Message:
		lvl := levelInfo
		if v.Level == "warn" {
			lvl = levelWarn
			if by, why, ok := refusal(v.Text); ok {
				s.answers = append(s.answers, answer{by: by, refused: why})
			}
		}
		s.last = note{v.Text, lvl}
	case lab.Failed:
		s.last = note{fmt.Sprintf("failed at step %d: %s", v.Step, v.Reason), levelError}
	case lab.Stopped:
		s.last = note{fmt.Sprintf("stopped at step %d: %s", v.Step, v.Reason), levelWarn}
	case lab.Finished:
		s.last = note{"finished" + fmtResults(v.Results), levelInfo}
	default:
		s.ex.applyExtra(b)
	}
}

// takeAnswers returns the replies to Set commands since the last call and forgets them.
func (s *runState) takeAnswers() []answer {
	a := s.answers
	s.answers = nil
	return a
}

func byWhom(by string) string {
	if by == "" {
		return ""
	}
	return " by " + by
}

// fmtResults renders results as " k=v k=v" in key order; numbers get 4 significant digits.
func fmtResults(res map[string]any) string {
	if len(res) == 0 {
		return ""
	}
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(":")
	for _, k := range keys {
		b.WriteString(" " + k + "=")
		switch v := res[k].(type) {
		case float64:
			b.WriteString(fmtNum(v))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// fmtNum formats a value with 4 significant digits; NaN and ±Inf are spelled out.
func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprintf("%.4g", v)
}
