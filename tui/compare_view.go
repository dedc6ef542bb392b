package tui

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// renderCompare builds one frame of compare mode, laid out like the run view:
//
//	╭ runs · compare ╮╭ loss · ema 0.6 · 3 runs ──╮╭ test accuracy · 3 runs ─╮
//	│▸●◆sweep-c      ││ faint min/max envelopes,  ││                         │
//	│ ●◆sweep-b      ││ a line per run, pinned    │╰─────────────────────────╯
//	│ ✓★sweep-a      ││ last and bold; legend     │╭ best and latest ────────╮
//	╰────────────────╯╰───────────────────────────╯╰─────────────────────────╯
//	compare · 3 runs: 2 marked · pinned sweep-a              panes 1–3 of 5 · tab
//	the cursor run: status · id · step · loss · acc · marked/pinned
//	the filter and how many runs it lets through
//	key help, notice, or the filter line being typed
func (m *Model) renderCompare() string {
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	m.compareSet()
	ps := m.comparePanes(m.cmp.ids)
	return m.layout(ps, m.compareFocusIndex(ps), nil, func(pager string) []string {
		return m.compareStatus(m.width, pager)
	})
}

// Pane kinds of compare mode, drawn by comparePane.
const (
	paneCmpLoss paneKind = iota + 100
	paneCmpAcc
	paneCmpTable
	paneCmpPoints
)

// comparePanes lists compare mode's panes: loss, test accuracy, the table of best and latest
// values, then one per (point chart, series) that any compared run has, in order of first sight.
func (m *Model) comparePanes(ids []string) []pane {
	ps := []pane{{kind: paneCmpLoss, key: "cmp:loss"}, {kind: paneCmpAcc, key: "cmp:acc"}, {kind: paneCmpTable, key: "cmp:table"}}
	seen := map[string]bool{}
	for _, id := range ids {
		s, ok := m.states[id]
		if !ok {
			continue
		}
		for _, name := range s.ex.chartOrd {
			for _, sn := range s.ex.charts[name].order {
				k := name + "\x00" + sn
				if !seen[k] {
					seen[k] = true
					ps = append(ps, pane{kind: paneCmpPoints, name: k, key: "cmp:points:" + k})
				}
			}
		}
	}
	return ps
}

// comparePane returns the title and content of a compare pane of width × height cells.
func (m *Model) comparePane(p pane, width, height int) (string, string) {
	n := len(m.cmp.ids)
	runs := fmt.Sprintf(" · %d run%s", n, plural(n))
	logY := ""
	if m.compareLogY(p.key) {
		logY = " · log-y"
	}
	switch p.kind {
	case paneCmpLoss:
		t := "loss · raw"
		if m.smooth {
			t = "loss · ema " + strconv.FormatFloat(m.weight, 'g', 3, 64)
		}
		bad := 0
		for _, id := range m.cmp.ids {
			bad += m.state(id).nonFinite
		}
		t += runs + logY
		if bad > 0 {
			t += m.st.warn.Render(fmt.Sprintf(" · %d non-finite dropped", bad))
		}
		return t, m.compareLoss(p.key, width, height)
	case paneCmpAcc:
		return "test accuracy" + runs + logY, m.compareAcc(p.key, width, height)
	case paneCmpTable:
		return "best and latest" + runs, m.compareTable(width, height)
	}
	name, series, _ := strings.Cut(p.name, "\x00")
	return m.comparePoints(p.key, name, series, width, height)
}

// noCompareText says why there is nothing to compare.
func (m *Model) noCompareText() string {
	switch {
	case len(m.rows) == 0:
		return "no runs yet"
	case m.cmp.filter != nil:
		return fmt.Sprintf("the filter %s lets none of the %d runs through: / edits it, esc clears it", m.cmp.filter.text, len(m.rows))
	}
	return "no run to compare: mark runs with " + m.keys.Mark.Help().Key
}

// compareSpan is the step range the compared runs share on the x axis, from the first logged step
// to the newest step or evaluation of any of them.
func (m *Model) compareSpan() (x0, x1 float64) {
	x0, x1 = math.Inf(1), math.Inf(-1)
	for _, id := range m.cmp.ids {
		s := m.state(id)
		span := stepSpan(s)
		if xs, _ := s.acc.points(); len(xs) > 0 {
			span = append(span, xs[0], xs[len(xs)-1])
		}
		for _, v := range span {
			x0, x1 = math.Min(x0, v), math.Max(x1, v)
		}
	}
	return x0, x1
}

// overlayRuns draws the lines of a compare chart: every run's min/max envelope (faint), then every
// run's line, the pinned one last, and a legend naming the runs under the chart when there is room.
func (m *Model) overlayRuns(c chart, env, lines []line, entries []legendEntry) string {
	c.lines = append(env, lines...)
	if len(m.cmp.ids) == 0 {
		c.empty = m.noCompareText()
	}
	if c.height < minChartH+1 {
		return c.render()
	}
	c.height--
	return c.render() + "\n" + m.legend(entries, c.width)
}

// compareLoss overlays the compared runs' loss: for each run, the raw values downsampled to the
// chart's columns with their min/max envelope, and the EMA (computed on the full-resolution values
// before any averaging) downsampled the same way when smoothing is on.
func (m *Model) compareLoss(key string, width, height int) string {
	c := chart{width: width, height: height, logY: m.compareLogY(key), axis: m.st.axis, empty: "no loss logged yet by the compared runs"}
	x0, x1 := m.compareSpan()
	cols := max(2*width, 2)
	var env, lines []line
	var entries []legendEntry
	for _, id := range m.cmp.ids {
		s := m.state(id)
		xs, ys := s.loss.points()
		lo, hi := s.loss.ranges()
		raw := downsample(xs, ys, lo, hi, x0, x1, cols)
		env = append(env, line{xs: raw.xs, ys: raw.ys, lo: raw.lo, hi: raw.hi, noLine: true, style: m.runStyle(id, true)})
		l := line{xs: raw.xs, ys: raw.ys, style: m.runStyle(id, false)}
		val := ""
		if s.hasStep {
			val = fmtNum(s.step.Loss)
		}
		if m.smooth && s.lossEMA.len() > 0 {
			exs, eys := s.lossEMA.points()
			e := downsample(exs, eys, eys, eys, x0, x1, cols)
			l.xs, l.ys = e.xs, e.ys
			val = fmtNum(s.smoother.value())
		}
		lines = append(lines, l)
		entries = append(entries, legendEntry{l.style, id, val})
	}
	if !math.IsInf(x0, 0) {
		c.xSpan = []float64{x0, x1}
	}
	if c.logY {
		c.empty = "no positive loss to draw on a log scale"
	}
	return m.overlayRuns(c, env, lines, entries)
}

// compareAcc overlays the compared runs' test accuracy, downsampled with its envelope like the loss.
func (m *Model) compareAcc(key string, width, height int) string {
	c := chart{width: width, height: height, logY: m.compareLogY(key), axis: m.st.axis, empty: "no evaluation yet in the compared runs",
		yLabel: func(v float64) string { return strconv.FormatFloat(100*v, 'g', 3, 64) + "%" }}
	x0, x1 := m.compareSpan()
	cols := max(2*width, 2)
	var env, lines []line
	var entries []legendEntry
	for _, id := range m.cmp.ids {
		s := m.state(id)
		xs, ys := s.acc.points()
		d := downsample(xs, ys, ys, ys, x0, x1, cols)
		env = append(env, line{xs: d.xs, ys: d.ys, lo: d.lo, hi: d.hi, noLine: true, style: m.runStyle(id, true)})
		st := m.runStyle(id, false)
		lines = append(lines, line{xs: d.xs, ys: d.ys, style: st})
		val := ""
		if s.hasEval {
			val = cellPct(s.eval.TestAcc)
		}
		entries = append(entries, legendEntry{st, id, val})
	}
	if !math.IsInf(x0, 0) {
		c.xSpan = []float64{x0, x1}
	}
	return m.overlayRuns(c, env, lines, entries)
}

// comparePoints overlays one series of one point chart across the compared runs that have it, one
// line per run with its error bars; x is log10 when every x is positive and spans more than
// logXDecades decades.
func (m *Model) comparePoints(key, name, series string, width, height int) (string, string) {
	title := name + " · " + series
	c := chart{width: width, height: height, logY: m.compareLogY(key), axis: m.st.axis, xLabel: fmtTick,
		empty: "no finite points yet"}
	all := &pointChart{series: map[string]*pointSeries{}}
	var lines []line
	var entries []legendEntry
	bad := 0
	xName, yName := "", ""
	for _, id := range m.cmp.ids {
		pc, ok := m.state(id).ex.charts[name]
		if !ok {
			continue
		}
		bad += pc.nonFinite
		xName, yName = cmp.Or(xName, pc.xLabel), cmp.Or(yName, pc.yLabel)
		ps, ok := pc.series[series]
		if !ok {
			continue
		}
		all.series[id] = ps
		st := m.runStyle(id, false)
		lines = append(lines, line{xs: ps.xs, ys: ps.ys, errs: ps.errs, style: st})
		entries = append(entries, legendEntry{style: st, name: id})
	}
	if c.logX = useLogX(all); c.logX {
		c.xLabel = func(v float64) string { return strconv.FormatFloat(v, 'g', 2, 64) }
	}
	if logY := m.compareLogY(key); logY {
		title += " · log-y"
	}
	if bad > 0 {
		title += m.st.warn.Render(fmt.Sprintf(" · %d non-finite", bad))
	}
	if len(lines) == 0 {
		c.empty = "none of the compared runs has this series"
	}
	axes := ""
	if yName != "" {
		axes = "y: " + yName
	}
	if xName != "" {
		axes = strings.TrimPrefix(axes+", x: "+xName, ", ")
	}
	content := m.overlayRuns(c, nil, lines, entries)
	if axes != "" && height >= minChartH+1 {
		i := strings.LastIndex(content, "\n")
		content = content[:i+1] + truncate(content[i+1:]+m.st.dim.Render("  "+axes), width)
	}
	return title, content
}

// compareStatus renders the statusLines lines under the compare panes (see renderCompare).
func (m *Model) compareStatus(width int, pager string) []string {
	sep := m.st.dim.Render(" · ")
	left1 := " " + m.st.title.Render("compare") + sep + m.compareSummary()
	if pager != "" {
		p := m.st.dim.Render(pager)
		left1 = truncate(left1, max(width-lipgloss.Width(p)-2, 0))
		left1 += strings.Repeat(" ", max(width-1-lipgloss.Width(left1)-lipgloss.Width(p), 0)) + p
	}
	cursor := m.st.dim.Render("no run selected")
	if info, ok := m.selectedInfo(); ok {
		parts := []string{m.st.forStatus(info.Status).Render(statusGlyph(info.Status) + " " + string(info.Status)), m.st.value.Render(info.ID)}
		step := fmtInt(info.Step)
		if info.TotalSteps > 0 {
			step += "/" + fmtInt(info.TotalSteps)
		}
		parts = append(parts, m.st.label.Render("step ")+m.st.value.Render(step))
		if s := m.state(info.ID); s.hasStep {
			parts = append(parts, m.st.label.Render("loss ")+m.st.value.Render(fmtNum(s.step.Loss)))
		}
		switch {
		case info.ID == m.cmp.pinned:
			parts = append(parts, m.st.dim.Render("★ pinned"))
		case m.cmp.marked[info.ID]:
			parts = append(parts, m.st.dim.Render("◆ marked"))
		}
		cursor = strings.Join(parts, sep)
	}
	return []string{
		pad(left1, width),
		pad(" ▸ "+cursor, width),
		pad(" "+m.filterSummary(), width),
		pad(" "+m.compareBottom(width-1), width),
	}
}

// compareBottom is bottomLine with compare mode's key help.
func (m *Model) compareBottom(width int) string { return m.bottomLineWith(width, m.compareHelp()) }
