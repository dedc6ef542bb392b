package chartexport

import (
	"fmt"
	"image"
	"math"

	"github.com/logitlab/logitlab/lab"
)

// histEdges returns the bin edges to draw: h.Edges when they are usable (finite, strictly
// increasing, one more than the bins of every series), else the bin indexes 0…B and byIndex set
// (the TUI's rule).
func histEdges(h lab.Histogram) (edges []float64, byIndex bool) {
	ok := len(h.Edges) >= 2
	for i, e := range h.Edges {
		if !finite(e) || i > 0 && !(e > h.Edges[i-1]) {
			ok = false
		}
	}
	bins := 0
	for _, s := range h.Series {
		ok = ok && len(s.Counts) == len(h.Edges)-1
		bins = max(bins, len(s.Counts))
	}
	if ok {
		return h.Edges, false
	}
	for i := 0; i <= bins && bins > 0; i++ {
		edges = append(edges, float64(i))
	}
	return edges, true
}

// histFrame draws one Histogram: each series as a filled step outline over the shared bins, on
// one count axis from 0, its mean as a dashed vertical line.
func (c *Charts) histFrame(ch Chart, h lab.Histogram, o Options) *frame {
	title := ch.Name
	if h.Epoch > 0 {
		title += fmt.Sprintf(" · epoch %d", h.Epoch)
	}
	title += fmt.Sprintf(" · step %d", h.Step)
	edges, byIndex := histEdges(h)
	spec := axesSpec{title: o.title(title), xLabel: ch.Name, yLabel: "count", yFromZero: true, empty: "histogram has no bins"}
	if byIndex {
		spec.xLabel = "bin (the logged edges are unusable)"
	}
	if len(edges) >= 2 {
		spec.xs.add(edges[0], false)
		spec.xs.add(edges[len(edges)-1], false)
		spec.ys.add(0, false)
	}
	for _, s := range h.Series {
		for _, n := range s.Counts {
			spec.ys.add(float64(n), false)
		}
		label := s.Label
		if finite(s.Mean) {
			label += " · mean " + fmtValue(s.Mean)
		}
		spec.legend = append(spec.legend, legendItem{label: label, col: seriesColor(c.color(s.Label)), box: true})
	}
	w, h2 := o.size()
	f := newFrame(w, h2, spec)
	if len(edges) < 2 {
		return f
	}
	base, _ := f.y.px(0)
	for _, s := range h.Series {
		col := seriesColor(c.color(s.Label))
		prevY := base
		for b := 0; b+1 < len(edges); b++ {
			n := 0.0
			if b < len(s.Counts) && s.Counts[b] > 0 {
				n = float64(s.Counts[b])
			}
			x0, _ := f.x.px(edges[b])
			x1, _ := f.x.px(edges[b+1])
			y, _ := f.y.px(n)
			f.c.fillBlend(image.Rect(int(math.Round(x0)), int(math.Round(y)), int(math.Round(x1)), int(math.Round(base))), col, 56)
			f.c.line(x0, prevY, x0, y, f.m.s, col)
			f.c.line(x0, y, x1, y, f.m.s, col)
			prevY = y
		}
		xEnd, _ := f.x.px(edges[len(edges)-1])
		f.c.line(xEnd, prevY, xEnd, base, f.m.s, col)
		if mx, ok := f.x.px(s.Mean); ok && !byIndex {
			f.c.dashedV(int(math.Round(mx)), f.plot.Min.Y, f.plot.Max.Y, 4*f.m.s, col)
		}
	}
	return f
}

// barsFrame draws a Bars snapshot as grouped horizontal bars: a slot per group (top to bottom), a
// bar per series in it, error bars as whiskers, each value written at its bar's end. A value not
// yet measured (NaN) says so; ±Inf is written, not drawn. An accuracy chart's axis reaches 1.
func (c *Charts) barsFrame(ch Chart, o Options) *frame {
	b := c.bars[ch.Name]
	title := ch.Name
	if b.Note != "" {
		title += " · " + b.Note
	}
	spec := axesSpec{title: o.title(title), xLabel: b.Unit, cats: b.Groups, padX: true, empty: "no bars yet"}
	if len(b.Groups) > 0 && len(b.Series) > 0 {
		spec.xs.add(0, false)
		spec.ys.add(0, false) // the categorical axis needs no range; this only marks the chart non-empty
	}
	if b.Unit == "accuracy" {
		spec.xs.add(1, false)
	}
	for _, s := range b.Series {
		for i, v := range s.Values {
			spec.xs.add(v, false)
			if i < len(s.Err) && finite(v) && finite(s.Err[i]) && s.Err[i] > 0 {
				spec.xs.add(v+s.Err[i], false)
				spec.xs.add(v-s.Err[i], false)
			}
		}
		spec.legend = append(spec.legend, legendItem{label: s.Label, col: seriesColor(c.color(s.Label)), box: true})
	}
	w, h := o.size()
	m := metricsFor(w)
	if need := len(b.Groups)*(len(b.Series)*(glyphH+3)*m.s+m.lineH) + (8+len(b.Series)/3)*m.lineH; need > h {
		h = min(need, maxSide)
	}
	f := newFrame(w, h, spec)
	if len(b.Groups) == 0 || len(b.Series) == 0 {
		return f
	}
	zero, _ := f.x.px(0)
	for gi := range b.Groups {
		top, _ := f.y.px(float64(gi) + 0.08)
		bot, _ := f.y.px(float64(gi) + 0.92)
		bh := (bot - top) / float64(len(b.Series))
		for si, s := range b.Series {
			col := seriesColor(c.color(s.Label))
			y0 := top + float64(si)*bh
			mid := y0 + bh/2
			v := math.NaN()
			if gi < len(s.Values) {
				v = s.Values[gi]
			}
			e := math.NaN()
			if gi < len(s.Err) {
				e = s.Err[gi]
			}
			textY := int(math.Round(mid)) - glyphH*f.m.s/2
			showText := bh >= float64(glyphH*f.m.s)
			px, ok := f.x.px(v)
			if !ok {
				if showText {
					f.c.text(int(zero)+f.m.pad, textY, barText(v, e), f.m.s, inkDim)
				}
				continue
			}
			lo, hi := math.Min(px, zero), math.Max(px, zero)
			f.c.fill(image.Rect(int(math.Round(lo)), int(math.Round(y0)), int(math.Round(hi))+1, int(math.Round(y0+bh))-max(f.m.s/2, 1)), col)
			end := hi
			if finite(e) && e > 0 {
				a, _ := f.x.px(v - e)
				z, _ := f.x.px(v + e)
				f.c.line(a, mid, z, mid, max(f.m.s/2, 1), inkText)
				capH := bh / 4
				f.c.line(a, mid-capH, a, mid+capH, max(f.m.s/2, 1), inkText)
				f.c.line(z, mid-capH, z, mid+capH, max(f.m.s/2, 1), inkText)
				end = math.Max(end, z)
			}
			if showText {
				txt := barText(v, e)
				x := int(math.Round(end)) + f.m.pad/2
				ink := inkText
				if x+textWidth(txt, f.m.s) > f.plot.Max.X { // no room after the bar: inside it, at its start
					x, ink = int(math.Round(lo))+f.m.pad/2, inkWhite
				}
				f.c.text(x, textY, txt, f.m.s, ink)
			}
		}
	}
	return f
}

// barText is a bar's value and error half-width as written beside it.
func barText(v, e float64) string {
	if math.IsNaN(v) {
		return "not measured yet"
	}
	s := fmtValue(v)
	if finite(e) && e > 0 {
		s += " ± " + fmtValue(e)
	}
	return s
}
