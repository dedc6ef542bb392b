package chartexport

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"strconv"
)

// Options says how to draw a chart. The zero Options draws every chart at its default size.
type Options struct {
	// Width and Height are the PNG size in pixels of the charts drawn on axes; 0 means 960×600.
	// They are clamped to [240, 4096]. Tables and galleries take the size their content needs,
	// and a bar chart grows taller when its bars would be thinner than a line of text.
	Width, Height int
	// LogY draws the loss chart on a logarithmic y axis (values ≤ 0 become gaps).
	LogY bool
	// Smooth, in (0, 1), draws the loss chart's lines as the TUI's debiased EMA with this weight of
	// the past, over the raw loss drawn faint. 0 draws the raw values only. The CSV is always raw.
	Smooth float64
	// HistStep picks which of a histogram's steps to export; 0 means the latest.
	HistStep int64
	// Title, when set, starts the PNG's title (e.g. the run id).
	Title string
}

// Default and extreme PNG sizes.
const (
	defaultWidth  = 960
	defaultHeight = 600
	minSide       = 240
	maxSide       = 4096
)

func (o Options) size() (int, int) {
	w, h := o.Width, o.Height
	if w == 0 {
		w = defaultWidth
	}
	if h == 0 {
		h = defaultHeight
	}
	return min(max(w, minSide), maxSide), min(max(h, minSide), maxSide)
}

func (o Options) title(s string) string {
	if o.Title == "" {
		return s
	}
	return o.Title + " · " + s
}

// Image draws the chart with the given key. It returns a *NoChartError or *NoStepError when the
// run has no such chart or step, or an error when a gallery is too large to draw.
func (c *Charts) Image(key string, o Options) (*image.RGBA, error) {
	cv, _, err := c.render(key, o)
	if err != nil {
		return nil, err
	}
	return cv.img, nil
}

// WritePNG draws the chart with the given key and encodes it as PNG (see Image).
func (c *Charts) WritePNG(w io.Writer, key string, o Options) error {
	img, err := c.Image(key, o)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("encode %s as PNG: %w", key, err)
	}
	return nil
}

// render draws a chart; the frame is nil for tables and galleries, which have no axes.
func (c *Charts) render(key string, o Options) (*canvas, *frame, error) {
	ch, err := c.Lookup(key)
	if err != nil {
		return nil, nil, err
	}
	var f *frame
	switch ch.Kind {
	case Loss:
		f = c.lossFrame(o)
	case Acc:
		f = c.accFrame(o)
	case Points:
		f = c.pointsFrame(ch, o)
	case Hist:
		h, err := c.histogram(ch, o.HistStep)
		if err != nil {
			return nil, nil, err
		}
		f = c.histFrame(ch, h, o)
	case Bars:
		f = c.barsFrame(ch, o)
	case Table:
		return tableCanvas(c.tables[ch.Name], o), nil, nil
	case Images:
		cv, err := galleryCanvas(c.images[ch.Name], o)
		return cv, nil, err
	}
	f.c.clip = f.c.img.Rect
	return f.c, f, nil
}

// ema returns the TUI's debiased exponential moving average of ys with weight w of the past,
// a_n = w·a_{n−1} + (1−w)·y_n, shown as a_n / (1 − wⁿ). Non-finite values are skipped (NaN out).
func ema(ys []float64, w float64) []float64 {
	out := make([]float64, len(ys))
	a, wp := 0.0, 1.0
	for i, y := range ys {
		if !finite(y) {
			out[i] = math.NaN()
			continue
		}
		y = math.Max(math.Min(y, maxAbs), -maxAbs)
		a = w*a + (1-w)*y
		wp *= w
		out[i] = a / (1 - wp)
	}
	return out
}

// lossFrame draws the loss and the run's extra named losses.
func (c *Charts) lossFrame(o Options) *frame {
	smooth := o.Smooth > 0 && o.Smooth < 1
	title := "loss"
	if smooth {
		title += " · ema " + strconv.FormatFloat(o.Smooth, 'g', 3, 64)
	}
	if o.LogY {
		title += " · log-y"
	}
	spec := axesSpec{title: o.title(title), xLabel: "step", yLabel: "loss", logY: o.LogY, empty: "no steps logged yet"}
	var lines []plotLine
	for _, name := range c.loss.names {
		col := inkMain
		if name != lossColumn {
			col = seriesColor(c.color(name))
		}
		xs, ys := c.loss.column(name)
		for i := range xs {
			spec.xs.add(xs[i], false)
			spec.ys.add(ys[i], o.LogY)
		}
		last, _ := c.loss.last(name)
		spec.legend = append(spec.legend, legendItem{label: displayName(name) + " " + fmtValue(last), col: col})
		if smooth {
			lines = append(lines, plotLine{xs: xs, ys: ys, col: faint(col), width: 1})
			ys = ema(ys, o.Smooth)
		}
		lines = append(lines, plotLine{xs: xs, ys: ys, col: col, width: 1})
	}
	if len(c.loss.names) <= 1 {
		spec.legend = nil
	}
	w, h := o.size()
	f := newFrame(w, h, spec)
	for _, l := range lines {
		f.drawLine(l)
	}
	return f
}

// accFrame draws the test accuracy and the evaluation's extra values whose names say "acc"; the
// other extra values are in the CSV only.
func (c *Charts) accFrame(o Options) *frame {
	spec := axesSpec{title: o.title("test accuracy"), xLabel: "step", yLabel: "accuracy", padX: true, empty: "no evaluation logged yet"}
	var lines []plotLine
	for _, name := range c.acc.names {
		col := inkMain
		label := "test acc"
		if name != accColumn {
			if !isAccName(name) {
				continue
			}
			col, label = seriesColor(c.color(name)), name
		}
		xs, ys := c.acc.column(name)
		for i := range xs {
			spec.xs.add(xs[i], false)
			spec.ys.add(ys[i], false)
		}
		last, _ := c.acc.last(name)
		spec.legend = append(spec.legend, legendItem{label: label + " " + fmtValue(last), col: col})
		lines = append(lines, plotLine{xs: xs, ys: ys, col: col, width: 1, markers: len(xs) <= 60})
	}
	if len(lines) <= 1 {
		spec.legend = nil
	}
	w, h := o.size()
	f := newFrame(w, h, spec)
	for _, l := range lines {
		f.drawLine(l)
	}
	return f
}

// logXDecades is how many decades the x values of a point chart must span, all positive, for its
// x axis to be logarithmic (the TUI's rule).
const logXDecades = 2

// pointsFrame draws a chart of Point events: a line with markers per series, error bars, a log x
// axis when x spans more than logXDecades decades and is all positive.
func (c *Charts) pointsFrame(ch Chart, o Options) *frame {
	pc := c.points[ch.Name]
	var xr span
	allPos := true
	for _, name := range pc.order {
		for _, p := range pc.series[name] {
			if finite(p.x) {
				xr.add(p.x, false)
				allPos = allPos && p.x > 0
			}
		}
	}
	logX := xr.ok && allPos && math.Log10(xr.hi/xr.lo) > logXDecades
	spec := axesSpec{title: o.title(ch.Name), xLabel: pc.xLabel, yLabel: pc.yLabel, logX: logX, padX: true, empty: "no finite points yet"}
	if logX {
		spec.xLabel += " (log)"
	}
	var lines []plotLine
	for _, name := range pc.order {
		var l plotLine
		for _, p := range pc.sorted(name) {
			if !finite(p.x) {
				continue
			}
			l.xs, l.ys, l.errs = append(l.xs, p.x), append(l.ys, p.y), append(l.errs, p.err)
			spec.xs.add(p.x, logX)
			spec.ys.add(p.y, false)
			if finite(p.y) && finite(p.err) && p.err > 0 {
				spec.ys.add(p.y+p.err, false)
				spec.ys.add(p.y-p.err, false)
			}
		}
		l.col, l.width, l.markers = seriesColor(c.color(name)), 1, true
		lines = append(lines, l)
		spec.legend = append(spec.legend, legendItem{label: name, col: l.col})
	}
	w, h := o.size()
	f := newFrame(w, h, spec)
	for _, l := range lines {
		f.drawLine(l)
	}
	return f
}
