package tui

import (
	"fmt"
	"math"
	"strings"
)

// cellPct formats an accuracy for a table cell or legend: a percentage, or the number itself when
// it is not finite or far outside [0, 1].
func cellPct(v float64) string {
	if !finite(v) || math.Abs(v) > 1e4 {
		return fmtNum(v)
	}
	return fmtPct(v)
}

// tableCol is one column of the table of best and latest values.
type tableCol struct {
	head string
	w    int // cells; 0 for the run column, which takes what is left
	prio int // columns with lower prio are dropped first when the pane is narrow
	cell func(id string, s *runState) string
}

// compareTable is the table of best and latest values: per compared run its latest step, loss,
// smoothed loss and test accuracy, the lowest loss and the best test accuracy it ever logged (at
// full resolution, see best) and the step of each. Columns are dropped, least useful first, when
// the pane is narrow; runs that do not fit are counted in the last line.
func (m *Model) compareTable(width, height int) string {
	if len(m.cmp.ids) == 0 {
		return placeText(width, height, m.noCompareText())
	}
	dash := func(ok bool, s string) string {
		if !ok {
			return "–"
		}
		return s
	}
	cols := []tableCol{
		{"run", 0, 9, nil},
		{"step", 7, 4, func(id string, s *runState) string { return fmtInt(m.rowStep(id, s)) }},
		{"loss", 9, 5, func(_ string, s *runState) string { return dash(s.hasStep, fmtNum(s.step.Loss)) }},
		{"ema", 9, 1, func(_ string, s *runState) string { return dash(s.lossEMA.len() > 0, fmtNum(s.smoother.value())) }},
		{"lowest loss", 14, 7, func(_ string, s *runState) string {
			return dash(s.best.hasLoss, fmtNum(s.best.loss)+" @"+fmtStep(float64(s.best.lossStep)))
		}},
		{"acc", 7, 6, func(_ string, s *runState) string { return dash(s.hasEval, cellPct(s.eval.TestAcc)) }},
		{"best acc", 13, 8, func(_ string, s *runState) string {
			return dash(s.best.hasAcc, cellPct(s.best.acc)+" @"+fmtStep(float64(s.best.accStep)))
		}},
	}
	const minRunW = 12
	for {
		used := 0
		for _, c := range cols {
			used += c.w + 1
		}
		if used+minRunW <= width || len(cols) == 1 {
			break
		}
		low := 1
		for i, c := range cols[1:] {
			if c.prio < cols[low].prio {
				low = i + 1
			}
		}
		cols = append(cols[:low], cols[low+1:]...)
	}
	runW := width
	for _, c := range cols[1:] {
		runW -= c.w + 1
	}
	runW = max(runW, 1)
	var out []string
	head := pad("  run", runW)
	for _, c := range cols[1:] {
		head += " " + fmt.Sprintf("%*s", c.w, c.head)
	}
	out = append(out, m.st.dim.Render(truncate(head, width)))
	shown := len(m.cmp.ids)
	if shown > height-1 {
		shown = max(height-2, 0)
	}
	for _, id := range m.cmp.ids[:shown] {
		s := m.state(id)
		mark := "━ "
		name := id
		if id == m.cmp.pinned {
			name = "★" + name
		}
		row := m.runStyle(id, false).Render(mark) + pad(truncateMiddle(name, max(runW-2, 1)), max(runW-2, 0))
		for _, c := range cols[1:] {
			row += " " + pad(fmt.Sprintf("%*s", c.w, truncate(c.cell(id, s), c.w)), c.w)
		}
		out = append(out, truncate(row, width))
	}
	if more := len(m.cmp.ids) - shown; more > 0 && height >= 2 {
		out = append(out, m.st.dim.Render(fmt.Sprintf("  +%d more (zoom with z)", more)))
	}
	return strings.Join(out, "\n")
}

// rowStep is run id's latest step as the run list has it, or as its events said.
func (m *Model) rowStep(id string, s *runState) int64 {
	for _, r := range m.rows {
		if r.ID == id {
			return r.Step
		}
	}
	return s.step.Step
}
