package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/lab"
)

// Histogram panels: the smallest panel that draws bars, and the bar glyphs by eighths.
const (
	minHistW = 12
	minHistH = 4
)

var barEighths = []rune(" ▁▂▃▄▅▆▇█")

// histPane draws the shown Histogram of one name: its distributions side by side (stacked when
// too narrow) over the shared bins, on a shared count scale, each mean marked ▼┊.
func (m *Model) histPane(name string, s *runState, width, height int) (string, string) {
	hs := s.ex.hists[name]
	h, i := hs.shown()
	title := name
	if h.Epoch > 0 {
		title += fmt.Sprintf(" · epoch %d", h.Epoch)
	}
	title += fmt.Sprintf(" · step %d", h.Step)
	if len(hs.hist) > 1 {
		title += fmt.Sprintf(" · %d/%d", i+1, len(hs.hist))
	}
	edges, byIndex := histEdges(h)
	n := len(h.Series)
	switch {
	case len(edges) < 2:
		return title, placeText(width, height, "histogram has no bins")
	case n == 0:
		return title, placeText(width, height, "histogram has no series")
	}
	// Side by side, else stacked, else as many as fit.
	side := (width + 1) / (minHistW + 1)
	stack := height / minHistH
	var cols, rows int
	switch {
	case side >= n:
		cols, rows = n, 1
	case stack >= n:
		cols, rows = 1, n
	case side >= stack:
		cols, rows = max(side, 1), 1
	default:
		cols, rows = 1, max(stack, 1)
	}
	shown := min(n, cols*rows)
	if shown < n {
		title += fmt.Sprintf(" · %d of %d series (z)", shown, n)
	}
	pw := (width - (cols - 1)) / cols
	ph := height / rows
	cols2 := make([][]float64, shown)
	peak := 0.0
	for k := range shown {
		cols2[k] = binColumns(edges, h.Series[k].Counts, max(pw, 1))
		for _, v := range cols2[k] {
			peak = math.Max(peak, v)
		}
	}
	labelW := 0 // the widest label, so that every panel's header says as much
	for k := range shown {
		labelW = max(labelW, lipgloss.Width(h.Series[k].Label))
	}
	panels := make([]string, shown)
	for k := range shown {
		panels[k] = m.histPanel(s, h.Series[k], edges, byIndex, cols2[k], peak, pw, ph, labelW)
	}
	if rows > 1 {
		return title, strings.Join(panels, "\n")
	}
	sep := strings.TrimSuffix(strings.Repeat(" \n", ph), "\n")
	parts := make([]string, 0, 2*shown)
	for k, p := range panels {
		if k > 0 {
			parts = append(parts, sep)
		}
		parts = append(parts, p)
	}
	return title, lipgloss.JoinHorizontal(lipgloss.Top, parts...)
}

// histEdges returns the bin edges to draw: h.Edges when they are usable (finite, strictly
// increasing, one more than the bins), else the bin indexes 0…B, and byIndex set.
func histEdges(h lab.Histogram) ([]float64, bool) {
	ok := len(h.Edges) >= 2
	for i, e := range h.Edges {
		if !finite(e) || (i > 0 && !(e > h.Edges[i-1])) {
			ok = false
		}
	}
	for _, s := range h.Series {
		if len(s.Counts) != len(h.Edges)-1 {
			ok = false
		}
	}
	if ok {
		return h.Edges, false
	}
	bins := 0
	for _, s := range h.Series {
		bins = max(bins, len(s.Counts))
	}
	edges := make([]float64, 0, bins+1)
	for i := 0; i <= bins && bins > 0; i++ {
		edges = append(edges, float64(i))
	}
	return edges, true
}

// binColumns turns the counts of the bins (edges has one more entry) into the heights of n equal
// columns of the value range. With no more bins than columns, a column shows the bin under its
// centre, as count_b·(column width)/|bin b| (the bin's count when bins are equal), so equal bins
// make even bars; with more bins, a column gets Σ_b count_b·|bin b ∩ column|/|bin b|, the mass it
// covers. Negative counts count as 0; counts beyond the bins are ignored and missing ones are 0.
func binColumns(edges []float64, counts []int, n int) []float64 {
	out := make([]float64, n)
	lo, hi := edges[0], edges[len(edges)-1]
	d := (hi - lo) / float64(n)
	if !(d > 0) || math.IsInf(d, 0) {
		return out
	}
	count := func(b int) float64 {
		if b < len(counts) && counts[b] > 0 {
			return float64(counts[b])
		}
		return 0
	}
	bins := len(edges) - 1
	if bins <= n {
		b := 0
		for c := range out {
			mid := lo + (float64(c)+0.5)*d
			for b < bins-1 && mid >= edges[b+1] {
				b++
			}
			out[c] = count(b) * d / (edges[b+1] - edges[b])
		}
		return out
	}
	for b := 0; b < bins; b++ {
		cnt := count(b)
		if cnt == 0 {
			continue
		}
		a, z := edges[b], edges[b+1]
		first := min(max(int((a-lo)/d), 0), n-1)
		for col := first; col < n; col++ {
			cl, ch := lo+float64(col)*d, lo+float64(col+1)*d
			if cl >= z {
				break
			}
			if ov := math.Min(ch, z) - math.Max(cl, a); ov > 0 {
				out[col] += cnt * ov / (z - a)
			}
		}
	}
	return out
}

// histPanel draws one distribution as pw × ph cells: a header (label, mean, median, total, as
// much as fits after the widest label labelW), a marker row with ▼ over the mean, bars scaled so that peak fills the bar rows
// (┊ continues the mean marker through the empty cells), and the range of the bins under it.
func (m *Model) histPanel(s *runState, hs lab.HistSeries, edges []float64, byIndex bool, col []float64, peak float64, pw, ph, labelW int) string {
	st := m.st.series(s.ex.color(hs.Label))
	total := 0
	for _, c := range hs.Counts {
		total += max(c, 0)
	}
	dim := m.st.dim
	head := st.Render(hs.Label)
	for _, more := range []string{
		dim.Render(" μ ") + fmtNum(hs.Mean) + dim.Render(" med ") + fmtNum(hs.Median) + dim.Render(" n ") + fmtInt(int64(total)),
		dim.Render(" μ ") + fmtNum(hs.Mean) + dim.Render(" n ") + fmtInt(int64(total)),
		dim.Render(" μ ") + fmtNum(hs.Mean),
	} {
		if labelW+lipgloss.Width(more) <= pw {
			head += more
			break
		}
	}
	lines := []string{pad(head, pw)}
	bh := ph - 2
	if bh < 1 || pw < 2 {
		return strings.Join(lines, "\n")
	}
	lo, hi := edges[0], edges[len(edges)-1]
	mean := -1
	if v := hs.Mean; finite(v) && !byIndex && v >= lo && v <= hi {
		mean = min(int((v-lo)/(hi-lo)*float64(pw)), pw-1)
	}
	marker := 0 // rows above the bars that only hold the ▼
	if bh >= 3 && mean >= 0 {
		marker = 1
	}
	barRows := bh - marker
	if total == 0 || !(peak > 0) {
		lines = append(lines, strings.Split(placeText(pw, bh, dim.Render("no samples")), "\n")...)
	} else {
		for r := range bh {
			level := bh - 1 - r
			var p painter
			for c := 0; c < pw; c++ {
				e := 0
				if v := col[c]; v > 0 && r >= marker {
					e = max(int(math.Round(v/peak*float64(barRows*8))), 1) - level*8
					e = min(max(e, 0), 8)
				}
				switch {
				case c == mean && r == 0:
					p.put(m.st.value, "▼")
				case c == mean && e == 0:
					p.put(m.st.value, "┊")
				case e == 0:
					p.put(lipgloss.NewStyle(), " ")
				default:
					p.put(st, string(barEighths[e]))
				}
			}
			lines = append(lines, p.String())
		}
	}
	lines = append(lines, m.st.axis.Render(axisRange(lo, hi, byIndex, pw)))
	return strings.Join(lines, "\n")
}

// axisRange is the line under a histogram: the lowest edge at the left, the highest at the right,
// and the middle when there is room.
func axisRange(lo, hi float64, byIndex bool, width int) string {
	f := fmtTick
	if byIndex {
		f = func(v float64) string { return "bin " + strconv.Itoa(int(v)) }
	}
	l, r := f(lo), f(hi)
	mid := f((lo + hi) / 2)
	gap := width - len(l) - len(r)
	if gap < 1 {
		return pad(l, width)
	}
	if gap >= len(mid)+4 && !byIndex {
		left := (width-len(mid))/2 - len(l)
		return l + strings.Repeat(" ", left) + mid + strings.Repeat(" ", width-len(l)-left-len(mid)-len(r)) + r
	}
	return l + strings.Repeat(" ", gap) + r
}

// fmtTick formats an axis value with 3 significant digits: 0.05, 12, 1.5e+03.
func fmtTick(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// painter builds a line of styled cells, rendering each run of cells that share a style with one
// call.
type painter struct {
	out, run strings.Builder
	cur      lipgloss.Style
	started  bool
}

// put appends s in style st.
func (p *painter) put(st lipgloss.Style, s string) {
	if p.started && !sameStyle(st, p.cur) {
		p.flush()
	}
	p.cur, p.started = st, true
	p.run.WriteString(s)
}

func (p *painter) flush() {
	if p.run.Len() > 0 {
		p.out.WriteString(p.cur.Render(p.run.String()))
		p.run.Reset()
	}
}

// String returns the line so far.
func (p *painter) String() string {
	p.flush()
	return p.out.String()
}

// sameStyle reports whether two styles render alike (the ones painter sees differ in colour only).
func sameStyle(a, b lipgloss.Style) bool {
	return a.GetForeground() == b.GetForeground() && a.GetBackground() == b.GetBackground() && a.GetBold() == b.GetBold()
}
