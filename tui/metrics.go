package tui

import (
	"fmt"
	"strconv"
)

func (m *Model) lossTitle(s *runState) string {
	t := "loss"
	if m.smooth {
		t += " · ema " + strconv.FormatFloat(m.weight, 'g', 3, 64)
	} else {
		t += " · raw"
	}
	if m.logY {
		t += " · log-y"
	}
	if s != nil && s.nonFinite > 0 {
		t += m.st.warn.Render(fmt.Sprintf(" · %d non-finite from step %d", s.nonFinite, s.firstBad))
	}
	return t
}

// lossPane is the loss chart, with the run's extra named losses (StepMetrics.Series) overlaid in
// their own colours and a legend under it when there are any.
func (m *Model) lossPane(s *runState, width, height int) string {
	c := chart{width: width, height: height, logY: m.logY, axis: m.st.axis, empty: "waiting for the first step…"}
	if s == nil {
		c.empty = "no run selected"
		return c.render()
	}
	xs, ys := s.loss.points()
	c.xSpan = stepSpan(s)
	if m.smooth {
		exs, eys := s.lossEMA.points()
		c.lines = []line{{xs: xs, ys: ys, style: m.st.lossRaw}, {xs: exs, ys: eys, style: m.st.lossEMA}}
	} else {
		c.lines = []line{{xs: xs, ys: ys, style: m.st.lossEMA}}
	}
	if m.logY && s.loss.len() > 0 {
		c.empty = "no positive loss to draw on a log scale"
	}
	if len(s.ex.lossOrd) == 0 || height < minChartH+1 {
		return c.render()
	}
	entries := []legendEntry{{m.st.lossEMA, "loss", fmtNum(s.step.Loss)}}
	for _, name := range s.ex.lossOrd {
		ns := s.ex.lossExtra[name]
		st := m.st.series(s.ex.color(name))
		src := ns.raw
		if m.smooth {
			src = ns.smooth
		}
		nx, ny := src.points()
		c.lines = append(c.lines, line{xs: nx, ys: ny, style: st})
		entries = append(entries, legendEntry{st, name, fmtNum(ns.last)})
	}
	c.height = height - 1
	return c.render() + "\n" + m.legend(entries, width)
}

func (m *Model) accTitle(s *runState) string {
	t := "test accuracy"
	if s != nil && s.hasEval {
		t += fmt.Sprintf(" · %s at step %d", fmtPct(s.eval.TestAcc), s.eval.Step)
	}
	return t
}

// accPane is the test-accuracy chart. The run's EpochSummary.Extra values whose names say "acc"
// are drawn on it as more lines; all extra values are listed, latest first seen first, in a legend.
func (m *Model) accPane(s *runState, width, height int) string {
	c := chart{width: width, height: height, axis: m.st.axis, empty: "no evaluation yet",
		yLabel: func(v float64) string { return strconv.FormatFloat(100*v, 'g', 3, 64) + "%" }}
	if s == nil {
		return c.render()
	}
	xs, ys := s.acc.points()
	c.lines = []line{{xs: xs, ys: ys, style: m.st.acc}}
	c.xSpan = stepSpan(s)
	if len(s.ex.evalOrd) == 0 || height < minChartH+1 {
		return c.render()
	}
	entries := []legendEntry{{m.st.acc, "test acc", fmtPct(s.eval.TestAcc)}}
	for _, name := range s.ex.evalOrd {
		ns := s.ex.evalExtra[name]
		st := m.st.series(s.ex.color(name))
		if !isAccName(name) {
			entries = append(entries, legendEntry{m.st.dim, name, fmtNum(ns.last)})
			continue
		}
		nx, ny := ns.raw.points()
		c.lines = append(c.lines, line{xs: nx, ys: ny, style: st})
		entries = append(entries, legendEntry{st, name, fmtPct(ns.last)})
	}
	c.height = height - 1
	return c.render() + "\n" + m.legend(entries, width)
}

// stepSpan is the step range both charts share, so that their x axes line up: from the first
// logged step to the newest step or evaluation.
func stepSpan(s *runState) []float64 {
	var span []float64
	if s.firstStep > 0 {
		span = append(span, float64(s.firstStep))
	}
	if s.hasStep {
		span = append(span, float64(s.step.Step))
	}
	if s.hasEval {
		span = append(span, float64(s.eval.Step))
	}
	return span
}
