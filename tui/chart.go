package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/NimbleMarkets/ntcharts/v2/canvas"
	"github.com/NimbleMarkets/ntcharts/v2/canvas/graph"
	"github.com/NimbleMarkets/ntcharts/v2/canvas/runes"
	"github.com/NimbleMarkets/ntcharts/v2/linechart"
)

// line is one series to draw: its points, optional error-bar half-widths, and its style. Later
// lines are drawn on top.
type line struct {
	xs, ys []float64
	style  lipgloss.Style
	errs   []float64 // half-width of a vertical error bar per point; nil: none
	// lo and hi, when set, are the ends of a vertical range per point (a min/max envelope), drawn
	// like an error bar but also on a log y axis; a non-finite end falls back to the point's y.
	lo, hi []float64
	noLine bool // draw only the points and their ranges, not the segments between them
}

// chart describes one line chart. It is rendered by render, which sanitises everything it is given:
// NaN and ±Inf points are dropped, |v| > 1e30 is clamped, and with logY (logX) non-positive y (x)
// values are dropped and the rest drawn as log10. Error bars are drawn only on a linear y axis and
// only where the half-width is finite. Axis bounds come only from the values that survive, so no
// non-finite number ever reaches ntcharts.
type chart struct {
	width, height int // cells, including the axes and their labels
	logY, logX    bool
	yLabel        func(v float64) string // formats a y value (already back from log space)
	xLabel        func(v float64) string // formats an x value (already back from log space); nil: fmtStep
	lines         []line
	xSpan         []float64 // optional x values the x axis must cover (e.g. another chart's span)
	empty         string    // shown centred when there is nothing to draw
	axis          lipgloss.Style
}

// minChartW and minChartH are the smallest areas a chart draws axes in; smaller ones show text only.
const (
	minChartW = 12
	minChartH = 4
)

// cleaned is a line's drawable points in axis space; lo and hi are the ends of each error bar
// (both y when it has none).
type cleaned struct {
	xs, ys, lo, hi []float64
}

// axisValue sanitises v for an axis, taking log10 when log is set. It reports false for a value that
// cannot be drawn.
func axisValue(v float64, log bool) (float64, bool) {
	v, ok := sanitize(v)
	if !ok {
		return 0, false
	}
	if log {
		if v <= 0 {
			return 0, false
		}
		v = math.Log10(v)
	}
	return v, true
}

// cleanLine returns the drawable points of l (see chart).
func (c *chart) cleanLine(l line) cleaned {
	n := min(len(l.xs), len(l.ys))
	p := cleaned{make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n)}
	for i := 0; i < n; i++ {
		x, okX := axisValue(l.xs[i], c.logX)
		y, okY := axisValue(l.ys[i], c.logY)
		if !okX || !okY {
			continue
		}
		lo, hi := y, y
		if i < len(l.errs) && !c.logY {
			if e, ok := sanitize(math.Abs(l.errs[i])); ok && e > 0 {
				lo, _ = sanitize(y - e)
				hi, _ = sanitize(y + e)
			}
		}
		if i < len(l.lo) && i < len(l.hi) {
			if a, ok := axisValue(l.lo[i], c.logY); ok {
				lo = math.Min(lo, a)
			}
			if b, ok := axisValue(l.hi[i], c.logY); ok {
				hi = math.Max(hi, b)
			}
		}
		p.xs = append(p.xs, x)
		p.ys = append(p.ys, y)
		p.lo = append(p.lo, lo)
		p.hi = append(p.hi, hi)
	}
	return p
}

// bounds returns the x and y ranges of the cleaned lines (error bars included), widened where a
// range is empty, and false when there is no point at all.
func bounds(ls []cleaned, logY bool) (minX, maxX, minY, maxY float64, ok bool) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	for _, l := range ls {
		for j := range l.xs {
			minX, maxX = math.Min(minX, l.xs[j]), math.Max(maxX, l.xs[j])
			minY, maxY = math.Min(minY, l.lo[j]), math.Max(maxY, l.hi[j])
		}
	}
	if math.IsInf(minX, 0) || math.IsInf(minY, 0) {
		return 0, 0, 0, 0, false
	}
	if maxX-minX < 1e-12*math.Max(1, math.Abs(minX)) {
		minX, maxX = minX-0.5, maxX+0.5
	}
	if maxY-minY <= 1e-12*math.Max(1, math.Abs(minY)) {
		d := math.Abs(minY) * 0.1
		if logY || d == 0 {
			d = 0.5
		}
		minY, maxY = minY-d, maxY+d
	}
	return minX, maxX, minY, maxY, true
}

// render draws the chart as exactly height lines of width cells.
func (c *chart) render() string {
	if c.width < minChartW || c.height < minChartH {
		return placeText(c.width, c.height, c.empty)
	}
	ls := make([]cleaned, len(c.lines))
	for i, l := range c.lines {
		ls[i] = c.cleanLine(l)
	}
	minX, maxX, minY, maxY, ok := bounds(ls, c.logY)
	if !ok {
		return placeText(c.width, c.height, c.empty)
	}
	for _, x := range c.xSpan {
		if x, ok := axisValue(x, c.logX); ok {
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		}
	}
	yFmt := c.yLabel
	if yFmt == nil {
		yFmt = func(v float64) string { return fmt.Sprintf("%.3g", v) }
	}
	xFmt := c.xLabel
	if xFmt == nil {
		xFmt = fmtStep
	}
	fromAxis := func(v float64, log bool) float64 {
		if log {
			return math.Pow(10, v)
		}
		return v
	}
	lc := linechart.New(c.width, c.height, minX, maxX, minY, maxY,
		linechart.WithXYSteps(4, 2),
		linechart.WithStyles(c.axis, c.axis, lipgloss.NewStyle()),
		linechart.WithXLabelFormatter(func(_ int, v float64) string { return xFmt(fromAxis(v, c.logX)) }),
		linechart.WithYLabelFormatter(func(_ int, v float64) string { return yFmt(fromAxis(v, c.logY)) }),
	)
	lc.DrawXYAxisAndLabel()
	gw, gh := lc.GraphWidth(), lc.GraphHeight()
	if gw < 2 || gh < 1 {
		return placeText(c.width, c.height, c.empty)
	}
	patterns := make([][][]rune, len(c.lines))
	limit := 2*gw + 4*gh + 2
	for i, l := range ls {
		g := graph.NewBrailleGrid(gw, gh, minX, maxX, minY, maxY)
		var prev canvas.Point
		for j := range l.xs {
			p := g.GridPoint(canvas.Float64Point{X: l.xs[j], Y: l.ys[j]})
			if j == 0 || c.lines[i].noLine {
				g.Set(p)
			} else {
				for _, q := range graph.GetLinePointsWithLimit(prev, p, limit) {
					g.Set(q)
				}
			}
			prev = p
			if l.lo[j] < l.hi[j] {
				lo := g.GridPoint(canvas.Float64Point{X: l.xs[j], Y: l.lo[j]})
				hi := g.GridPoint(canvas.Float64Point{X: l.xs[j], Y: l.hi[j]})
				for _, q := range graph.GetLinePointsWithLimit(lo, hi, limit) {
					g.Set(q)
				}
			}
		}
		patterns[i] = g.BraillePatterns()
	}
	return c.paint(&lc, patterns, lc.Origin().X+1, gw, gh)
}

// paint renders the axes and labels from lc's canvas and the braille patterns of each line over the
// graph area starting at column x0. Runs of cells with the same style are rendered with one call.
func (c *chart) paint(lc *linechart.Model, patterns [][][]rune, x0, gw, gh int) string {
	const (
		noStyle   = -2
		axisStyle = -1
	)
	var (
		b   strings.Builder
		run strings.Builder
		cur = noStyle
	)
	flush := func() {
		switch {
		case run.Len() == 0:
		case cur == noStyle:
			b.WriteString(run.String())
		case cur == axisStyle:
			b.WriteString(c.axis.Render(run.String()))
		default:
			b.WriteString(c.lines[cur].style.Render(run.String()))
		}
		run.Reset()
	}
	for y := 0; y < c.height; y++ {
		if y > 0 {
			flush()
			b.WriteByte('\n')
		}
		for x := 0; x < c.width; x++ {
			r, st := rune(' '), noStyle
			if y < gh && x >= x0 && x < x0+gw {
				dots := rune(runes.BrailleBlockOffset)
				for i := range patterns {
					if p := patterns[i][y][x-x0]; p != runes.BrailleBlockOffset {
						dots = runes.CombineBraillePatterns(dots, p)
						st = i
					}
				}
				if st != noStyle {
					r = dots
				}
			}
			if st == noStyle {
				if cr := lc.Canvas.Cell(canvas.Point{X: x, Y: y}).Rune; cr != 0 {
					r, st = cr, axisStyle
				}
			}
			if st != cur {
				flush()
				cur = st
			}
			run.WriteRune(r)
		}
	}
	flush()
	return b.String()
}

// placeText centres text in a blank width×height block.
func placeText(width, height int, text string) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, truncate(text, width))
}

// fmtStep formats an x-axis step compactly: 950, 12k, 1.5M.
func fmtStep(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trimZero(fmt.Sprintf("%.1f", v/1e6)) + "M"
	case a >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func trimZero(s string) string {
	return strings.TrimSuffix(s, ".0")
}
