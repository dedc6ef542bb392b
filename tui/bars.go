package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/lab"
)

// barsState is the latest snapshot of one named Bars chart.
type barsState struct {
	b   lab.Bars
	ver int
}

// applyBars folds a Bars event into e: the latest snapshot of a chart replaces the earlier one.
func (e *extras) applyBars(v lab.Bars) {
	if e.bars == nil {
		e.bars = map[string]*barsState{}
	}
	b, ok := e.bars[v.Chart]
	if !ok {
		b = &barsState{}
		e.bars[v.Chart] = b
		e.barsOrd = append(e.barsOrd, v.Chart)
	}
	b.b = v
	b.ver++
	for _, s := range v.Series {
		e.color(s.Label)
	}
}

// barsPane draws a grouped bar chart as horizontal bars: per group, one line per series with its
// label, a bar scaled to the largest value (or to 1 for an accuracy chart), the value and its
// error half-width. Bars not yet measured (NaN) show "…"; ±Inf and negative values are written
// but not drawn. Groups that do not fit are counted in the last line.
func (m *Model) barsPane(b lab.Bars, s *runState, width, height int) (string, string) {
	title := b.Chart
	if b.Note != "" && lipgloss.Width(title+" · "+b.Note) <= width {
		title += " · " + b.Note
	}
	if len(b.Groups) == 0 || len(b.Series) == 0 || width < 20 || height < 1 {
		return title, placeText(width, height, "no bars yet")
	}
	top := 0.0
	for _, sr := range b.Series {
		for _, v := range sr.Values {
			if finite(v) {
				top = math.Max(top, v)
			}
		}
	}
	if b.Unit == "accuracy" || top <= 0 {
		top = math.Max(top, 1)
	}
	gw, sw := 0, 0
	for _, g := range b.Groups {
		gw = max(gw, lipgloss.Width(g))
	}
	for _, sr := range b.Series {
		sw = max(sw, lipgloss.Width(sr.Label))
	}
	gw = min(gw, max(8, width/3))
	const valW = 14 // "0.972 ± 0.004"
	barW := width - gw - sw - valW - 3
	if barW < 4 {
		sw, barW = 0, width-gw-valW-2
	}
	full, empty := "█", " "
	if m.ascii {
		full = "#"
	}
	perGroup := len(b.Series)
	fit := height / perGroup
	if fit < len(b.Groups) && height > perGroup {
		fit = (height - 1) / perGroup
	}
	var lines []string
	for gi, g := range b.Groups {
		if gi >= fit {
			break
		}
		for si, sr := range b.Series {
			label := ""
			if si == 0 {
				label = truncate(g, gw)
			}
			line := label + strings.Repeat(" ", gw-lipgloss.Width(label)) + " "
			if sw > 0 {
				line += sr.Label + strings.Repeat(" ", sw-lipgloss.Width(sr.Label)) + " "
			}
			v := math.NaN()
			if gi < len(sr.Values) {
				v = sr.Values[gi]
			}
			n := 0
			if finite(v) && v > 0 {
				n = min(barW, int(math.Round(v/top*float64(barW))))
			}
			style := m.st.series(s.ex.color(sr.Label))
			line += style.Render(strings.Repeat(full, n)) + strings.Repeat(empty, barW-n) + " "
			line += barValue(v, sr.Err, gi)
			lines = append(lines, line)
		}
	}
	if hidden := len(b.Groups) - min(fit, len(b.Groups)); hidden > 0 {
		lines = append(lines, fmt.Sprintf("… %d more groups (zoom with z)", hidden))
	}
	return title, strings.Join(lines, "\n")
}

// barValue formats a bar's value and error half-width.
func barValue(v float64, errs []float64, i int) string {
	if math.IsNaN(v) {
		return "…"
	}
	text := formatNum(v)
	if i < len(errs) && finite(errs[i]) && errs[i] > 0 {
		text += " ± " + formatNum(errs[i])
	}
	return text
}

// formatNum writes a bar value in at most 6 cells.
func formatNum(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.Abs(v) < 10 && math.Abs(v) >= 0.001 || v == 0:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
