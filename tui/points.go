package tui

import (
	"fmt"
	"math"
	"strconv"
)

// logXDecades is how many decades the x values of a point chart must span, all positive, for its x
// axis to be logarithmic.
const logXDecades = 2

// pointsPane draws one named chart of Point events: a line per series in the series' stable
// colour, error bars as vertical ranges, a log x axis when x spans more than logXDecades decades
// and is all positive, and a legend with the axis names under it.
func (m *Model) pointsPane(name string, s *runState, width, height int) (string, string) {
	pc := s.ex.charts[name]
	title := name
	if pc.nonFinite > 0 {
		title += m.st.warn.Render(fmt.Sprintf(" · %d non-finite", pc.nonFinite))
	}
	if pc.dropped > 0 {
		title += m.st.warn.Render(fmt.Sprintf(" · %d dropped (full)", pc.dropped))
	}
	c := chart{width: width, height: height - 1, axis: m.st.axis, empty: "no finite points yet", xLabel: fmtTick}
	c.logX = useLogX(pc)
	if c.logX {
		c.xLabel = func(v float64) string { return strconv.FormatFloat(v, 'g', 2, 64) }
	}
	var entries []legendEntry
	for _, sn := range pc.order {
		ps := pc.series[sn]
		st := m.st.series(s.ex.color(sn))
		c.lines = append(c.lines, line{xs: ps.xs, ys: ps.ys, errs: ps.errs, style: st})
		entries = append(entries, legendEntry{style: st, name: sn})
	}
	axes := ""
	if pc.yLabel != "" {
		axes = "y: " + pc.yLabel
	}
	if pc.xLabel != "" || c.logX {
		if axes != "" {
			axes += ", "
		}
		axes += "x: " + pc.xLabel
		if c.logX {
			axes += " (log)"
		}
	}
	leg := m.legend(entries, width)
	if axes != "" {
		leg = truncate(leg+m.st.dim.Render("  "+axes), width)
	}
	if height < minChartH+1 {
		c.height = height
		return title, c.render()
	}
	return title, c.render() + "\n" + leg
}

// useLogX reports whether every finite x of the chart is positive and max/min exceeds
// 10^logXDecades.
func useLogX(pc *pointChart) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ps := range pc.series {
		for _, x := range ps.xs {
			x, ok := sanitize(x)
			if !ok {
				continue
			}
			if x <= 0 {
				return false
			}
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	return lo > 0 && !math.IsInf(hi, 0) && math.Log10(hi/lo) > logXDecades
}
