package chartexport

import (
	"image"
	"image/color"
	"math"
)

// axesSpec is what a chart on x–y axes needs laid out before its data is drawn.
type axesSpec struct {
	title          string
	xLabel, yLabel string
	xs, ys         span // data ranges (see span.padded)
	logX, logY     bool
	padX           bool // pad the x range too (the y range always is)
	yFromZero      bool // a count axis: y starts at 0
	legend         []legendItem
	yFmt           func(float64) string // nil: fmtTick
	cats           []string             // a categorical y axis: one slot per entry, the first at the top
	empty          string               // shown in the plot when there is no data
}

// frame is a laid-out chart: the canvas, the plot area and the scales that map data to pixels.
type frame struct {
	c    *canvas
	m    metrics
	plot image.Rectangle
	x, y axisScale
}

// newFrame draws the title, axes, grid, ticks, axis labels and legend of spec on a w×h canvas,
// and returns the frame with its canvas clipped to the plot area.
func newFrame(w, h int, spec axesSpec) *frame {
	c := newCanvas(w, h)
	m := metricsFor(w)
	cw := (glyphW + 1) * m.s
	yFmt := spec.yFmt
	if yFmt == nil {
		yFmt = fmtTick
	}
	xlo, xhi := spec.xs.padded(spec.logX, 0)
	if spec.padX {
		xlo, xhi = spec.xs.padded(spec.logX, 0.04)
	}
	ylo, yhi := spec.ys.padded(spec.logY, 0.06)
	if spec.yFromZero && !spec.logY {
		ylo = 0
		if spec.ys.ok && spec.ys.hi > 0 {
			yhi = spec.ys.hi * 1.08
		}
	}
	yTicks := ticks(ylo, yhi, spec.logY, max(2, min(8, (h-8*m.lineH)/(3*m.lineH))))
	labelW := 0
	for _, t := range yTicks {
		labelW = max(labelW, textWidth(yFmt(t), m.s))
	}
	if len(spec.cats) > 0 {
		ylo, yhi, yTicks, labelW = float64(len(spec.cats)), 0, nil, 0
		for _, cat := range spec.cats {
			labelW = max(labelW, textWidth(cat, m.s))
		}
		labelW = min(labelW, w/3)
	}
	top := m.pad + m.lineH + m.pad/2
	if spec.yLabel != "" {
		top += m.lineH
	}
	left := m.pad + labelW + 3*m.s + m.pad
	right := w - m.pad - 3*cw
	legendRows := m.legendRows(spec.legend, right-left)
	bottom := h - m.pad - len(legendRows)*m.lineH - m.lineH - 3*m.s
	if spec.xLabel != "" {
		bottom -= m.lineH
	}
	if len(legendRows) > 0 {
		bottom -= m.pad / 2
	}
	if bottom-top < 4*m.lineH { // too small for the text: draw the plot anyway, text overlapping
		bottom = top + 4*m.lineH
	}
	plot := image.Rect(left, top, right, bottom)
	f := &frame{c: c, m: m, plot: plot,
		x: axisScale{lo: xlo, hi: xhi, log: spec.logX, p0: float64(left), p1: float64(right - 1)},
		y: axisScale{lo: ylo, hi: yhi, log: spec.logY, p0: float64(bottom - 1), p1: float64(top)}}

	c.bold(m.pad, m.pad, fitText(spec.title, w-2*m.pad, m.s), m.s, inkText)
	if spec.yLabel != "" {
		c.text(m.pad, m.pad+m.lineH, fitText(spec.yLabel, w-2*m.pad, m.s), m.s, inkDim)
	}
	for _, t := range yTicks {
		py, ok := f.y.px(t)
		if !ok {
			continue
		}
		y := int(math.Round(py))
		c.fill(image.Rect(left, y, right, y+1), inkGrid)
		c.fill(image.Rect(left-3*m.s, y, left, y+1), inkAxis)
		lbl := yFmt(t)
		c.text(left-3*m.s-m.s-textWidth(lbl, m.s), y-glyphH*m.s/2, lbl, m.s, inkDim)
	}
	for i, cat := range spec.cats {
		py, _ := f.y.px(float64(i) + 0.5)
		lbl := fitText(cat, labelW, m.s)
		c.text(left-3*m.s-m.s-textWidth(lbl, m.s), int(math.Round(py))-glyphH*m.s/2, lbl, m.s, inkText)
		if i > 0 {
			sy, _ := f.y.px(float64(i))
			c.fill(image.Rect(left, int(sy), right, int(sy)+1), inkGrid)
		}
	}
	xTicks := ticks(xlo, xhi, spec.logX, max(2, min(10, (right-left)/(12*cw))))
	lastEnd := math.MinInt
	for _, t := range xTicks {
		px, ok := f.x.px(t)
		if !ok {
			continue
		}
		x := int(math.Round(px))
		c.fill(image.Rect(x, top, x+1, bottom), inkGrid)
		c.fill(image.Rect(x, bottom, x+1, bottom+3*m.s), inkAxis)
		lbl := fmtTick(t)
		lx := x - textWidth(lbl, m.s)/2
		if lx > lastEnd+cw && lx+textWidth(lbl, m.s) <= w {
			c.text(lx, bottom+3*m.s+m.s, lbl, m.s, inkDim)
			lastEnd = lx + textWidth(lbl, m.s)
		}
	}
	c.rect(plot.Inset(-1), inkAxis)
	y := bottom + 3*m.s + m.lineH
	if spec.xLabel != "" {
		lbl := fitText(spec.xLabel, right-left, m.s)
		c.text((left+right-textWidth(lbl, m.s))/2, y+m.s, lbl, m.s, inkDim)
		y += m.lineH
	}
	if len(legendRows) > 0 {
		m.drawLegend(c, legendRows, left, y+m.pad/2, right-left)
	}
	if spec.empty != "" && !spec.ys.ok {
		lbl := fitText(spec.empty, right-left, m.s)
		c.text((left+right-textWidth(lbl, m.s))/2, (top+bottom-glyphH*m.s)/2, lbl, m.s, inkDim)
	}
	c.clip = plot
	return f
}

// plotLine is one line of a chart: its points in x order (NaN or, on a log axis, y ≤ 0 is a gap),
// optional error-bar half-widths, and how to draw it.
type plotLine struct {
	xs, ys, errs []float64
	col          color.RGBA
	width        int // stroke width in text-scale units
	markers      bool
}

// drawLine draws l: segments between consecutive drawable points, markers, and error bars as
// vertical ranges with caps.
func (f *frame) drawLine(l plotLine) {
	w := max(l.width*f.m.s, 1)
	if !l.markers && len(l.errs) == 0 && len(l.xs) > 2*f.plot.Dx() {
		f.drawDense(l, w)
		return
	}
	f.drawSparse(l, w)
}

// drawSparse draws every segment, marker and error bar of l with strokes w pixels wide.
func (f *frame) drawSparse(l plotLine, w int) {
	prevOK := false
	var px0, py0 float64
	for i := range l.xs {
		px, okx := f.x.px(l.xs[i])
		py, oky := f.y.px(l.ys[i])
		ok := okx && oky
		if ok && prevOK {
			f.c.line(px0, py0, px, py, w, l.col)
		}
		if okx && i < len(l.errs) && finite(l.errs[i]) && l.errs[i] > 0 && finite(l.ys[i]) {
			f.errorBar(px, l.ys[i], l.errs[i], l.col)
		}
		if ok && l.markers {
			f.c.dot(int(math.Round(px)), int(math.Round(py)), 3*f.m.s+1, l.col)
		}
		prevOK, px0, py0 = ok, px, py
	}
	if !l.markers { // a lone point between gaps would not show as a line
		for i := range l.xs {
			px, okx := f.x.px(l.xs[i])
			py, oky := f.y.px(l.ys[i])
			if !okx || !oky {
				continue
			}
			lone := (i == 0 || !f.drawable(l, i-1)) && (i == len(l.xs)-1 || !f.drawable(l, i+1))
			if lone {
				f.c.dot(int(math.Round(px)), int(math.Round(py)), 2*w+1, l.col)
			}
		}
	}
}

// drawDense draws a line with more points than pixel columns: within each column it keeps the
// first, lowest, highest and last point (the lowest and highest in the order they came), which
// covers the same pixels as every segment would, and draws the segments between those.
func (f *frame) drawDense(l plotLine, w int) {
	type column struct {
		x                   int
		first, last, lo, hi float64
		iLo, iHi, n         int
	}
	var (
		a      column
		run    [][2]float64
		points int
	)
	emit := func() {
		if a.n == 0 {
			return
		}
		x := float64(a.x)
		lo, hi := [2]float64{x, a.lo}, [2]float64{x, a.hi}
		if a.iLo > a.iHi {
			lo, hi = hi, lo
		}
		run = append(run, [2]float64{x, a.first}, lo, hi, [2]float64{x, a.last})
		a.n = 0
	}
	endRun := func() {
		emit()
		for i := 1; i < len(run); i++ {
			f.c.line(run[i-1][0], run[i-1][1], run[i][0], run[i][1], w, l.col)
		}
		if points == 1 {
			f.c.dot(int(run[0][0]), int(math.Round(run[0][1])), 2*w+1, l.col)
		}
		run, points = run[:0], 0
	}
	for i := range l.xs {
		px, okx := f.x.px(l.xs[i])
		py, oky := f.y.px(l.ys[i])
		if !okx || !oky {
			endRun()
			continue
		}
		points++
		x := int(math.Round(math.Max(math.Min(px, 1e9), -1e9)))
		if a.n > 0 && x != a.x {
			emit()
		}
		if a.n == 0 {
			a = column{x: x, first: py, last: py, lo: py, hi: py, iLo: i, iHi: i, n: 1}
			continue
		}
		a.last, a.n = py, a.n+1
		if py < a.lo {
			a.lo, a.iLo = py, i
		}
		if py > a.hi {
			a.hi, a.iHi = py, i
		}
	}
	endRun()
}

func (f *frame) drawable(l plotLine, i int) bool {
	_, okx := f.x.px(l.xs[i])
	_, oky := f.y.px(l.ys[i])
	return okx && oky
}

// errorBar draws y ± e at pixel column px. On a log axis a lower end ≤ 0 runs to the bottom.
func (f *frame) errorBar(px, y, e float64, col color.RGBA) {
	top, ok1 := f.y.px(y + e)
	bot, ok2 := f.y.px(y - e)
	if !ok1 {
		return
	}
	if !ok2 {
		bot = float64(f.plot.Max.Y)
	}
	f.c.line(px, top, px, bot, max(f.m.s/2, 1), col)
	cap := float64(2 * f.m.s)
	f.c.line(px-cap, top, px+cap, top, max(f.m.s/2, 1), col)
	f.c.line(px-cap, bot, px+cap, bot, max(f.m.s/2, 1), col)
}
