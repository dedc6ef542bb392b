package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/lab"
)

// Table layout: columns are separated by tableGap blanks and never cut below minTableCol cells.
const (
	tableGap    = 2
	minTableCol = 4
)

// tablePane draws a Table as aligned columns: a bold header, a rule, the rows (numeric columns
// right-aligned) and the table's note. Ragged rows are padded with blanks (or widen the table when
// longer than the header); wide columns are cut with "…", widest first; rows and columns that do
// not fit are counted in the last line or the title.
func (m *Model) tablePane(t lab.Table, width, height int) (string, string) {
	title := fmt.Sprintf("%s · step %d", t.Name, t.Step)
	ncol := len(t.Columns)
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	if ncol == 0 {
		return title, placeText(width, height, "empty table")
	}
	cell := func(row []string, j int) string {
		if j < len(row) {
			return cleanCell(row[j])
		}
		return ""
	}
	w := make([]int, ncol)
	numeric := make([]bool, ncol)
	for j := range ncol {
		w[j] = lipgloss.Width(cell(t.Columns, j))
		numeric[j] = len(t.Rows) > 0
		for _, r := range t.Rows {
			c := cell(r, j)
			w[j] = max(w[j], lipgloss.Width(c))
			if c != "" && !looksNumeric(c) {
				numeric[j] = false
			}
		}
		w[j] = max(w[j], 1)
	}
	// Cut the widest text columns, then the widest of any, until the table fits; then drop the
	// columns that still do not.
	sum := func(n int) int {
		s := tableGap * (n - 1)
		for _, x := range w[:n] {
			s += x
		}
		return s
	}
	for _, textOnly := range []bool{true, false} {
		for sum(ncol) > width {
			widest := -1
			for j := range w {
				if (!textOnly || !numeric[j]) && w[j] > minTableCol && (widest < 0 || w[j] > w[widest]) {
					widest = j
				}
			}
			if widest < 0 {
				break
			}
			w[widest]--
		}
	}
	shown := ncol
	for shown > 1 && sum(shown) > width {
		shown--
	}
	if shown < ncol {
		title += fmt.Sprintf(" · %d of %d columns (z)", shown, ncol)
	}
	line := func(row []string, st *lipgloss.Style) string {
		parts := make([]string, shown)
		for j := range shown {
			c := truncate(cell(row, j), w[j])
			gap := strings.Repeat(" ", w[j]-lipgloss.Width(c))
			if numeric[j] {
				c = gap + c
			} else {
				c += gap
			}
			if st != nil {
				c = st.Render(c)
			}
			parts[j] = c
		}
		return strings.Join(parts, strings.Repeat(" ", tableGap))
	}
	rule := make([]string, shown)
	for j := range shown {
		rule[j] = strings.Repeat("─", w[j])
	}
	out := []string{line(t.Columns, &m.st.title), m.st.axis.Render(strings.Join(rule, strings.Repeat(" ", tableGap)))}
	room := height - len(out)
	noteLine := ""
	if t.Note != "" {
		noteLine = m.st.dim.Render(cleanCell(t.Note))
		room--
	}
	rows := t.Rows
	more := 0
	if len(rows) > room {
		keep := max(room-1, 0)
		more = len(rows) - keep
		rows = rows[:keep]
	}
	for _, r := range rows {
		out = append(out, line(r, nil))
	}
	if more > 0 && room > 0 {
		out = append(out, m.st.dim.Render(fmt.Sprintf("… %d more rows (z)", more)))
	}
	if noteLine != "" && len(out) < height {
		out = append(out, noteLine)
	}
	if len(out) > height {
		out = out[:max(height, 0)]
	}
	return title, strings.Join(out, "\n")
}

// cleanCell makes a table cell one line of plain text: escape sequences removed, tabs and line
// breaks turned into blanks.
func cleanCell(s string) string {
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// looksNumeric reports whether a cell reads as a number ("0.912", "-3", "91.2%", "0.91 ± 0.01"):
// it starts with a digit, a sign or a decimal point followed by a digit.
func looksNumeric(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "+-−")
	s = strings.TrimPrefix(s, ".")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}
