package chartexport

import (
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"
)

// Colours: the run's own loss and accuracy in near-black, named series in the TUI's light-theme
// palette, indexed as the TUI indexes them (see Charts.color), and greys for the frame.
var (
	palette = []color.RGBA{
		{0x00, 0x5F, 0xD7, 0xff}, {0xD7, 0x5F, 0x00, 0xff}, {0x5F, 0x87, 0x00, 0xff}, {0x87, 0x00, 0xAF, 0xff},
		{0xAF, 0x87, 0x00, 0xff}, {0x00, 0x87, 0x87, 0xff}, {0xD7, 0x00, 0x5F, 0xff}, {0x6C, 0x6C, 0x6C, 0xff},
	}
	inkMain  = color.RGBA{0x1C, 0x1C, 0x1C, 0xff}
	inkText  = color.RGBA{0x1C, 0x1C, 0x1C, 0xff}
	inkDim   = color.RGBA{0x6C, 0x6C, 0x6C, 0xff}
	inkAxis  = color.RGBA{0x8A, 0x8A, 0x8A, 0xff}
	inkGrid  = color.RGBA{0xE6, 0xE6, 0xE6, 0xff}
	inkShade = color.RGBA{0xF0, 0xF0, 0xF0, 0xff}
	inkWhite = color.RGBA{0xff, 0xff, 0xff, 0xff}
	inkBad   = color.RGBA{0xFF, 0x00, 0xFF, 0xff} // non-finite pixels of a gallery image
)

// seriesColor is the colour of palette index i.
func seriesColor(i int) color.RGBA { return palette[((i%len(palette))+len(palette))%len(palette)] }

// faint mixes col with white, keeping a third of it (the raw line under a smoothed one).
func faint(col color.RGBA) color.RGBA {
	f := func(v uint8) uint8 { return uint8((uint32(v) + 2*255) / 3) }
	return color.RGBA{f(col.R), f(col.G), f(col.B), 0xff}
}

// maxAbs bounds the magnitude of any value put on an axis; larger finite values are clamped.
const maxAbs = 1e30

// span is the range of the finite values added to it.
type span struct {
	lo, hi float64
	ok     bool
}

// add widens s to v; NaN and ±Inf are skipped, and so is v ≤ 0 on a log axis.
func (s *span) add(v float64, log bool) {
	if !finite(v) || log && v <= 0 {
		return
	}
	v = math.Max(math.Min(v, maxAbs), -maxAbs)
	if !s.ok {
		s.lo, s.hi, s.ok = v, v, true
		return
	}
	s.lo, s.hi = math.Min(s.lo, v), math.Max(s.hi, v)
}

// padded returns the range widened by frac of itself on each side (in decades on a log axis), and
// made non-empty: [0, 1] (or [1, 10]) when nothing was added.
func (s span) padded(log bool, frac float64) (float64, float64) {
	if !s.ok {
		if log {
			return 1, 10
		}
		return 0, 1
	}
	lo, hi := s.lo, s.hi
	if log {
		a, b := math.Log10(lo), math.Log10(hi)
		if b-a < 1e-9 {
			a, b = a-0.5, b+0.5
		}
		d := (b - a) * frac
		return math.Pow(10, a-d), math.Pow(10, b+d)
	}
	if hi-lo <= 1e-12*math.Max(math.Abs(lo), math.Abs(hi)) {
		d := math.Max(math.Abs(lo)*0.1, 0.5)
		return lo - d, hi + d
	}
	d := (hi - lo) * frac
	return lo - d, hi + d
}

// axisScale maps values in [lo, hi] (linear or log10) to pixels in [p0, p1].
type axisScale struct {
	lo, hi float64
	log    bool
	p0, p1 float64
}

// px returns the pixel coordinate of v, and false when v cannot be drawn (not finite, or ≤ 0 on
// a log axis). Values outside the range map outside [p0, p1].
func (a axisScale) px(v float64) (float64, bool) {
	if !finite(v) || a.log && v <= 0 {
		return 0, false
	}
	v = math.Max(math.Min(v, maxAbs), -maxAbs)
	var t float64
	if a.log {
		t = (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	} else {
		t = (v - a.lo) / (a.hi - a.lo)
	}
	return a.p0 + t*(a.p1-a.p0), true
}

// ticks returns about n tick values in [lo, hi]: multiples of 1, 2 or 5 × 10^k, or on a log axis
// powers of ten (with 2× and 5× between them when the range spans under two decades).
func ticks(lo, hi float64, log bool, n int) []float64 {
	if log {
		return logTicks(lo, hi, n)
	}
	return linearTicks(lo, hi, n)
}

func linearTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || !finite(hi-lo) {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(max(n, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for k := math.Ceil(lo / step); k <= math.Floor(hi/step) && len(out) < 4*n+2; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, v)
	}
	return out
}

func logTicks(lo, hi float64, n int) []float64 {
	a, b := math.Ceil(math.Log10(lo)-1e-9), math.Floor(math.Log10(hi)+1e-9)
	var out []float64
	if b-a >= 1 {
		stride := math.Max(1, math.Ceil((b-a+1)/float64(max(n, 1))))
		for e := a; e <= b; e += stride {
			out = append(out, math.Pow(10, e))
		}
		return out
	}
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			if v := m * math.Pow(10, e); v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				out = append(out, v)
			}
		}
	}
	if len(out) < 2 {
		return linearTicks(lo, hi, n)
	}
	return out
}

// fmtTick writes a tick value briefly: integers as integers, others with 4 significant digits.
func fmtTick(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return strconv.FormatInt(int64(v), 10)
	}
	s := strconv.FormatFloat(v, 'g', 4, 64)
	s = strings.Replace(s, "e+0", "e", 1)
	s = strings.Replace(s, "e-0", "e-", 1)
	return strings.Replace(s, "e+", "e", 1)
}

// fmtValue writes a legend value with 4 significant digits; NaN and ±Inf are spelled out.
func fmtValue(v float64) string {
	if !finite(v) {
		return num(v)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// legendItem is one legend entry: a swatch (a line, or a filled box) and a label.
type legendItem struct {
	label string
	col   color.RGBA
	box   bool
}

// metrics are the sizes text and margins take at one text scale.
type metrics struct {
	s     int // image pixels per font pixel
	lineH int // a line of text, with spacing
	pad   int
}

func metricsFor(width int) metrics {
	s := 1
	if width >= 640 {
		s = 2
	}
	return metrics{s: s, lineH: (glyphH + 4) * s, pad: 6 * s}
}

// legendRows splits items into rows that fit w pixels; it returns the items of each row.
func (m metrics) legendRows(items []legendItem, w int) [][]legendItem {
	var rows [][]legendItem
	x := 0
	for _, it := range items {
		iw := m.legendItemW(it)
		if len(rows) == 0 || x > 0 && x+iw > w {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], it)
		x += iw
	}
	return rows
}

func (m metrics) legendItemW(it legendItem) int {
	return 4*(glyphW+1)*m.s + textWidth(it.label, m.s) + 2*(glyphW+1)*m.s
}

// drawLegend draws the rows of items from (x, y), each row lineH high, labels cut to w pixels.
func (m metrics) drawLegend(c *canvas, rows [][]legendItem, x, y, w int) {
	for r, row := range rows {
		cx := x
		cy := y + r*m.lineH
		for _, it := range row {
			sw := 3 * (glyphW + 1) * m.s
			mid := cy + glyphH*m.s/2
			if it.box {
				c.fill(image.Rect(cx, cy, cx+sw, cy+glyphH*m.s), it.col)
			} else {
				c.fill(image.Rect(cx, mid-m.s, cx+sw, mid+m.s), it.col)
			}
			label := fitText(it.label, x+w-(cx+sw+(glyphW+1)*m.s), m.s)
			c.text(cx+sw+(glyphW+1)*m.s, cy, label, m.s, inkText)
			cx += m.legendItemW(it)
		}
	}
}
