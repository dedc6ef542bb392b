package tui

import (
	"math"
	"sort"
	"strings"

	"github.com/logitlab/logitlab/lab"
)

// Limits on what the generic panes keep per run.
const (
	maxHistHistory = 256 // histograms kept per name (older ones are dropped) for stepping with [ and ]
	maxImagePixels = 1 << 22
)

// extras is what a run has emitted beyond loss and accuracy: generic events for experiment panes,
// and the extra named values of StepMetrics.Series and EpochSummary.Extra. Each named item keeps
// the order in which it first appeared, and a version that is bumped when it changes, so that the
// panes drawn from it can be cached.
type extras struct {
	hists     map[string]*histState
	histOrder []string
	charts    map[string]*pointChart
	chartOrd  []string
	tables    map[string]*tableState
	tableOrd  []string
	galleries map[string]*galleryState
	galOrd    []string
	bars      map[string]*barsState // see bars.go
	barsOrd   []string

	lossExtra map[string]*namedSeries // StepMetrics.Series, by name
	lossOrd   []string
	evalExtra map[string]*namedSeries // EpochSummary.Extra, by name
	evalOrd   []string

	colors map[string]int // palette index of every named line or distribution, in order of first sight
}

func newExtras() extras {
	return extras{
		hists:     map[string]*histState{},
		charts:    map[string]*pointChart{},
		tables:    map[string]*tableState{},
		galleries: map[string]*galleryState{},
		lossExtra: map[string]*namedSeries{},
		evalExtra: map[string]*namedSeries{},
		colors:    map[string]int{},
	}
}

// color returns the stable palette index of a series name: names get indexes in the order the run
// first mentions them, so "robust" keeps its colour in every pane and every frame.
func (e *extras) color(name string) int {
	if i, ok := e.colors[name]; ok {
		return i
	}
	i := len(e.colors)
	e.colors[name] = i
	return i
}

// histState is the history of one named Histogram; pos is the one shown, or -1 to follow the latest.
type histState struct {
	hist []lab.Histogram
	pos  int
	ver  int
}

// shown returns the histogram on screen and its 0-based position in the kept history.
func (h *histState) shown() (lab.Histogram, int) {
	i := len(h.hist) - 1
	if h.pos >= 0 && h.pos < len(h.hist) {
		i = h.pos
	}
	return h.hist[i], i
}

// step moves the shown histogram d places back (d < 0) or forward in the history; reaching the
// newest one follows new arrivals again. It reports whether the view changed.
func (h *histState) step(d int) bool {
	_, i := h.shown()
	j := min(max(i+d, 0), len(h.hist)-1)
	if j == i {
		return false
	}
	h.pos = j
	if j == len(h.hist)-1 {
		h.pos = -1
	}
	h.ver++
	return true
}

// tableState is the latest Table of one name.
type tableState struct {
	t   lab.Table
	ver int
}

// galleryState is the latest Images of one name.
type galleryState struct {
	g   lab.Images
	ver int
}

// pointChart is one named chart of Point events: a line per series, points sorted by x.
type pointChart struct {
	series    map[string]*pointSeries
	order     []string
	xLabel    string
	yLabel    string
	nonFinite int // points whose x, y or error bar was not finite (x: dropped; y: not drawn)
	dropped   int // new x values refused because a series was full
	ver       int
}

// pointSeries holds the points of one series, sorted by x with no x twice.
type pointSeries struct {
	xs, ys, errs []float64
}

// set inserts (x, y, err) or replaces the point at x. It reports false if the series is full.
func (p *pointSeries) set(x, y, err float64) bool {
	i := sort.SearchFloat64s(p.xs, x)
	if i < len(p.xs) && p.xs[i] == x {
		p.ys[i], p.errs[i] = y, err
		return true
	}
	if len(p.xs) >= maxPoints {
		return false
	}
	p.xs = append(p.xs, 0)
	p.ys = append(p.ys, 0)
	p.errs = append(p.errs, 0)
	copy(p.xs[i+1:], p.xs[i:])
	copy(p.ys[i+1:], p.ys[i:])
	copy(p.errs[i+1:], p.errs[i:])
	p.xs[i], p.ys[i], p.errs[i] = x, y, err
	return true
}

// namedSeries is one extra named value over steps: raw, smoothed (losses only), and the latest.
type namedSeries struct {
	raw, smooth *series
	ema         ema
	last        float64 // latest value as reported (may be NaN)
	bad         int     // non-finite values dropped
}

func newNamedSeries(w float64) *namedSeries {
	return &namedSeries{raw: newSeries(maxPoints), smooth: newSeries(maxPoints), ema: newEMA(w), last: math.NaN()}
}

// add folds in the value v at step x.
func (n *namedSeries) add(x, v float64, smoothed bool) {
	n.last = v
	if !n.raw.add(x, v) {
		n.bad++
		return
	}
	if smoothed {
		y, _ := sanitize(v)
		n.smooth.add(x, n.ema.add(y))
	}
}

// addNamed folds the values of m (in name order, so first sight is deterministic) into the named
// series of dst at step x, recording new names in order.
func (e *extras) addNamed(dst map[string]*namedSeries, order *[]string, m map[string]float64, x, w float64, smoothed bool) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		ns, ok := dst[k]
		if !ok {
			ns = newNamedSeries(w)
			dst[k] = ns
			*order = append(*order, k)
			e.color(k)
		}
		ns.add(x, m[k], smoothed)
	}
}

// applyExtra folds a generic event into e. It reports whether b was one.
func (e *extras) applyExtra(b lab.Body) bool {
	switch v := b.(type) {
	case lab.Histogram:
		h, ok := e.hists[v.Name]
		if !ok {
			h = &histState{pos: -1}
			e.hists[v.Name] = h
			e.histOrder = append(e.histOrder, v.Name)
		}
		if len(h.hist) >= maxHistHistory {
			h.hist = append(h.hist[:0], h.hist[1:]...)
			if h.pos > 0 {
				h.pos--
			}
		}
		h.hist = append(h.hist, v)
		for _, s := range v.Series {
			e.color(s.Label)
		}
		h.ver++
	case lab.Table:
		t, ok := e.tables[v.Name]
		if !ok {
			t = &tableState{}
			e.tables[v.Name] = t
			e.tableOrd = append(e.tableOrd, v.Name)
		}
		t.t = v
		t.ver++
	case lab.Images:
		g, ok := e.galleries[v.Name]
		if !ok {
			g = &galleryState{}
			e.galleries[v.Name] = g
			e.galOrd = append(e.galOrd, v.Name)
		}
		g.g = v
		g.ver++
	case lab.Point:
		e.applyPoint(v)
	case lab.Bars:
		e.applyBars(v)
	default:
		return false
	}
	return true
}

func (e *extras) applyPoint(v lab.Point) {
	c, ok := e.charts[v.Chart]
	if !ok {
		c = &pointChart{series: map[string]*pointSeries{}}
		e.charts[v.Chart] = c
		e.chartOrd = append(e.chartOrd, v.Chart)
	}
	c.ver++
	if v.XLabel != "" {
		c.xLabel = v.XLabel
	}
	if v.YLabel != "" {
		c.yLabel = v.YLabel
	}
	if !finite(v.X) || !finite(v.Y) || !finite(v.Err) {
		c.nonFinite++
	}
	if !finite(v.X) {
		return
	}
	s, ok := c.series[v.Series]
	if !ok {
		s = &pointSeries{}
		c.series[v.Series] = s
		c.order = append(c.order, v.Series)
		e.color(v.Series)
	}
	if !s.set(v.X, v.Y, v.Err) {
		c.dropped++
	}
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// isAccName reports whether an EpochSummary.Extra name is an accuracy, drawn on the accuracy chart.
func isAccName(name string) bool { return strings.Contains(strings.ToLower(name), "acc") }
