package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// paneKind says what a pane draws.
type paneKind int

const (
	paneLoss paneKind = iota
	paneAcc
	paneHist
	panePoints
	paneTable
	paneImages
	paneBars
)

// pane is one framed area of the selected run's view. key identifies it across frames ("loss",
// "hist:max_logit"), so focus stays on it when other panes appear.
type pane struct {
	kind paneKind
	name string
	key  string
}

// Pane layout: a grid slot is at least minPaneW × minPaneH cells, and a pane of about
// idealPaneW × idealPaneH is as good as it gets (used to score arrangements).
const (
	minPaneW   = 44
	minPaneH   = 10
	maxCols    = 3
	idealPaneW = 60
	idealPaneH = 15
)

// paneCache is a rendered generic pane (title and content, without its frame) and what it was
// rendered from.
type paneCache struct {
	key            string
	title, content string
}

// panes lists the selected run's panes: loss and accuracy, then one per named histogram, point
// chart, table and gallery, each kind in the order the run first emitted them.
func panes(s *runState) []pane {
	ps := []pane{{kind: paneLoss, key: "loss"}, {kind: paneAcc, key: "acc"}}
	if s == nil {
		return ps
	}
	add := func(k paneKind, prefix string, names []string) {
		for _, n := range names {
			ps = append(ps, pane{kind: k, name: n, key: prefix + n})
		}
	}
	add(paneHist, "hist:", s.ex.histOrder)
	add(panePoints, "points:", s.ex.chartOrd)
	add(paneTable, "table:", s.ex.tableOrd)
	add(paneImages, "images:", s.ex.galOrd)
	add(paneBars, "bars:", s.ex.barsOrd)
	return ps
}

// focusIndex is the position of the focused pane in ps; the first pane when focus is on none of them.
func (m *Model) focusIndex(ps []pane) int {
	for i, p := range ps {
		if p.key == m.focus {
			return i
		}
	}
	return 0
}

// selectedState returns the selected run's state, or nil.
func (m *Model) selectedState() *runState {
	if info, ok := m.selectedInfo(); ok {
		return m.state(info.ID)
	}
	return nil
}

// cycleFocus moves the focus d panes on, wrapping around.
func (m *Model) cycleFocus(d int) {
	ps := panes(m.selectedState())
	i := (m.focusIndex(ps) + d + len(ps)) % len(ps)
	m.focus = ps[i].key
}

// grid returns how many columns and rows of pane slots fit in a width × height area. There are
// always two rows, so that the loss and accuracy panes are both shown in every size the view
// accepts.
func grid(width, height int) (cols, rows int) {
	return min(max(width/minPaneW, 1), maxCols), max(height/minPaneH, 2)
}

// arrange splits panes of the given kinds, in order, into rows of at most cols panes and at most
// rows rows (len(kinds) ≤ cols·rows) in a width × height area, and returns how many panes each row
// holds. Of the splits into near-equal rows (larger rows last), with or without the first pane on
// a row of its own, it picks the one whose smallest pane is largest measured against an ideal pane
// of idealPaneW × idealPaneH; ties go to the one with fewer rows.
func arrange(kinds []paneKind, width, height, cols, rows int) []int {
	n := len(kinds)
	var best []int
	bestScore := -1.0
	try := func(counts []int) {
		ws, hs := rowSizes(kinds, counts, width, height)
		score := math.Inf(1)
		for r := range counts {
			score = math.Min(score, math.Min(float64(ws[r])/idealPaneW, float64(hs[r])/idealPaneH))
		}
		if score > bestScore {
			best, bestScore = counts, score
		}
	}
	for r := 1; r <= min(rows, n); r++ {
		if n <= r*cols {
			try(spread(n, r))
		}
		if r >= 2 && n-1 <= (r-1)*cols {
			try(append([]int{1}, spread(n-1, r-1)...))
		}
	}
	return best
}

// rowSizes returns, for each row of an arrangement, the width of its narrowest pane and its
// height: rows share the height by the largest paneWeight in each, panes share a row's width.
func rowSizes(kinds []paneKind, counts []int, width, height int) (ws, hs []int) {
	weights := make([]int, len(counts))
	total, k := 0, 0
	for r, c := range counts {
		for _, kd := range kinds[k : k+c] {
			weights[r] = max(weights[r], paneWeight(kd))
		}
		k += c
		total += weights[r]
	}
	ws, hs = make([]int, len(counts)), make([]int, len(counts))
	acc, y := 0, 0
	for r, c := range counts {
		acc += weights[r]
		hs[r] = height*acc/total - y
		y += hs[r]
		ws[r] = width / c
	}
	return ws, hs
}

// spread splits n into r near-equal parts, the larger ones last.
func spread(n, r int) []int {
	out := make([]int, r)
	for i := range out {
		out[i] = n / r
		if i >= r-n%r {
			out[i]++
		}
	}
	return out
}

// paneWeight is a pane's share of the height of the row it is in.
func paneWeight(k paneKind) int {
	if k == paneLoss || k == paneImages || k == paneCmpLoss {
		return 3
	}
	return 2
}

// paneArea draws the page of panes that holds the focused one in a width × height area, and
// returns it with a note that says which panes are shown when not all of them are.
func (m *Model) paneArea(ps []pane, fi int, s *runState, width, height int) (string, string) {
	cols, rows := grid(width, height)
	per := cols * rows
	page := fi / per
	first := page * per
	shown := ps[first:min(first+per, len(ps))]
	kinds := make([]paneKind, len(shown))
	for i, p := range shown {
		kinds[i] = p.kind
	}
	counts := arrange(kinds, width, height, cols, rows)
	_, heights := rowSizes(kinds, counts, width, height)
	var out []string
	k := 0
	for r, c := range counts {
		row := make([]string, c)
		for j := range c {
			pw := width / c
			if j < width%c {
				pw++
			}
			row[j] = m.drawPane(shown[k+j], s, pw, heights[r], first+k+j == fi)
		}
		k += c
		out = append(out, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	note := ""
	if len(shown) < len(ps) {
		note = fmt.Sprintf("panes %d–%d of %d · tab", first+1, first+len(shown), len(ps))
	}
	return strings.Join(out, "\n"), note
}

// drawPane frames one pane of width × height cells.
func (m *Model) drawPane(p pane, s *runState, width, height int, focused bool) string {
	iw, ih := max(width-2, 0), max(height-2, 0)
	var title, content string
	switch p.kind {
	case paneLoss:
		title, content = m.lossTitle(s), m.lossPane(s, iw, ih)
	case paneAcc:
		title, content = m.accTitle(s), m.accPane(s, iw, ih)
	case paneCmpLoss, paneCmpAcc, paneCmpTable, paneCmpPoints:
		title, content = m.comparePane(p, iw, ih)
	default:
		title, content = m.genericPane(p, s, iw, ih)
	}
	return m.paneBox(title, content, width, height, focused)
}

// genericPane returns the title and content of a histogram, point-chart, table or gallery pane,
// from the run's cache when nothing it depends on has changed.
func (m *Model) genericPane(p pane, s *runState, width, height int) (string, string) {
	ver := 0
	switch p.kind {
	case paneHist:
		ver = s.ex.hists[p.name].ver
	case panePoints:
		ver = s.ex.charts[p.name].ver
	case paneTable:
		ver = s.ex.tables[p.name].ver
	case paneImages:
		ver = s.ex.galleries[p.name].ver
	case paneBars:
		ver = s.ex.bars[p.name].ver
	}
	key := fmt.Sprintf("%d %d×%d %t", ver, width, height, m.ascii)
	if c, ok := s.cache[p.key]; ok && c.key == key {
		return c.title, c.content
	}
	var title, content string
	switch p.kind {
	case paneHist:
		title, content = m.histPane(p.name, s, width, height)
	case panePoints:
		title, content = m.pointsPane(p.name, s, width, height)
	case paneTable:
		title, content = m.tablePane(s.ex.tables[p.name].t, width, height)
	case paneImages:
		title, content = m.galleryPane(s.ex.galleries[p.name].g, width, height)
	case paneBars:
		title, content = m.barsPane(s.ex.bars[p.name].b, s, width, height)
	}
	s.cache[p.key] = paneCache{key: key, title: title, content: content}
	return title, content
}

// legend renders "━ name value  ━ name value" entries, each mark in its line's style, in width
// cells: without the values when they do not all fit, and cut with "…" when even that is too wide.
func (m *Model) legend(entries []legendEntry, width int) string {
	render := func(values bool) string {
		parts := make([]string, len(entries))
		for i, e := range entries {
			parts[i] = e.style.Render("━ ") + e.name
			if values && e.value != "" {
				parts[i] += " " + e.value
			}
		}
		return strings.Join(parts, "  ")
	}
	if full := render(true); lipgloss.Width(full) <= width {
		return full
	}
	return truncate(render(false), width)
}

// legendEntry is one entry of a legend: a name, and a value dropped first when space runs out.
type legendEntry struct {
	style lipgloss.Style
	name  string
	value string
}
