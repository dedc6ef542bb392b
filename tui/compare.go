package tui

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// maxCompare is the most runs overlaid at once: the size of a coloured theme's palette, so that
// the runs shown have distinct colours.
const maxCompare = 8

// compare is the state of compare mode and of the run filter (see the package comment). The zero
// value is compare mode off, nothing marked, no filter.
type compare struct {
	on     bool
	marked map[string]bool // run ids marked with the mark key
	pinned string          // run id drawn last and bold, kept in every comparison; "" when none
	focus  string          // key of the focused compare pane; "" is the first
	logY   map[string]bool // per compare pane key, once toggled there
	colors map[string]int  // palette slot per run id, kept for the session once given

	filter *runFilter     // the applied filter; nil when none
	edit   *lineEdit      // the filter line being typed; nil when closed
	cfgs   map[string]cfg // each run's config.toml, read once

	ids  []string // the runs compared in the frame being drawn (see compareSet)
	why  string   // how they were chosen
	left int      // runs that qualified but were not shown (more than maxCompare)
}

// cfg is a run's config.toml as read, or why it could not be.
type cfg struct {
	c   config.Config
	err error
}

// compareLogY reports whether the compare chart with key draws log y. The loss chart starts as the
// run view's loss chart is; the others start linear.
func (m *Model) compareLogY(key string) bool {
	if v, ok := m.cmp.logY[key]; ok {
		return v
	}
	return key == "cmp:loss" && m.logY
}

// pullCompared applies the new events of every compared run other than the selected one (which
// pullSelected keeps up to date). It reports whether there were any.
func (m *Model) pullCompared() bool {
	if !m.cmp.on {
		return false
	}
	changed := false
	for _, id := range m.compareIDs() {
		r, ok := m.handles[id]
		if !ok || id == m.selected {
			continue
		}
		s := m.state(id)
		if s.pull(r) {
			changed = true
		}
		m.resolvePending(id, s.takeAnswers())
	}
	return changed
}

// compareIDs computes the compared runs (see compareSet) and returns them.
func (m *Model) compareIDs() []string {
	m.compareSet()
	return m.cmp.ids
}

// compareSet chooses the runs to compare and records them, and how they were chosen, in m.cmp:
// the marked runs the filter lets through, in list order, or when none is marked every run of the
// selected run's experiment that it lets through; then the pinned run, filtered or not. At most
// maxCompare are kept (the pinned one always). Each run gets its colour here (see runColor).
func (m *Model) compareSet() {
	rows := m.visibleRows()
	var ids []string
	for _, r := range rows {
		if m.cmp.marked[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	why := fmt.Sprintf("%d marked", len(ids))
	if len(ids) == 0 {
		exp := ""
		if i := m.selectedIndex(); i >= 0 {
			exp = m.rows[i].Experiment
		}
		if len(rows) > 0 && !hasExperiment(rows, exp) {
			exp = rows[0].Experiment
		}
		for _, r := range rows {
			if r.Experiment == exp {
				ids = append(ids, r.ID)
			}
		}
		why = "every " + exp + " run"
		if m.cmp.filter != nil {
			why += " the filter lets through"
		}
	}
	pinned := ""
	if m.hasRow(m.cmp.pinned) {
		pinned = m.cmp.pinned
	}
	var out []string
	room := maxCompare
	if pinned != "" {
		room--
	}
	left := 0
	for _, id := range ids {
		switch {
		case id == pinned:
		case len(out) < room:
			out = append(out, id)
		default:
			left++
		}
	}
	if pinned != "" {
		out = append(out, pinned)
	}
	m.cmp.ids, m.cmp.why, m.cmp.left = out, why, left
	m.assignColors(out)
}

// hasExperiment reports whether a run of experiment exp is among rows.
func hasExperiment(rows []lab.RunInfo, exp string) bool {
	for _, r := range rows {
		if r.Experiment == exp {
			return true
		}
	}
	return false
}

// hasRow reports whether run id is in the run list.
func (m *Model) hasRow(id string) bool {
	for _, r := range m.rows {
		if r.ID == id {
			return true
		}
	}
	return false
}

// assignColors gives each of ids that has none yet a palette slot: the FNV-1a hash of its id modulo
// the palette size, moved on to the next slot while another of ids holds it. A run keeps its slot
// for the session, so colours do not change when runs come and go.
func (m *Model) assignColors(ids []string) {
	if m.cmp.colors == nil {
		m.cmp.colors = map[string]int{}
	}
	n := len(m.st.palette)
	used := map[int]bool{}
	for _, id := range ids {
		if c, ok := m.cmp.colors[id]; ok {
			used[c] = true
		}
	}
	for _, id := range ids {
		if _, ok := m.cmp.colors[id]; ok {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(id))
		c := int(h.Sum32() % uint32(n))
		for i := 0; i < n && used[c]; i++ {
			c = (c + 1) % n
		}
		m.cmp.colors[id] = c
		used[c] = true
	}
}

// runStyle is the style of run id's lines: its colour, faint for the envelope, bold when pinned.
// The ascii theme keeps every style plain.
func (m *Model) runStyle(id string, faint bool) lipgloss.Style {
	st := m.st.series(m.cmp.colors[id])
	if m.theme == ThemeASCII {
		return st
	}
	if faint {
		return st.Faint(true)
	}
	if id == m.cmp.pinned {
		return st.Bold(true)
	}
	return st
}

// markGlyph is the one-cell mark of run id in the run list: ★ pinned, ◆ marked (in the run's colour
// once it has been compared), else a blank.
func (m *Model) markGlyph(id string) string {
	switch {
	case id == m.cmp.pinned:
		return m.st.title.Render("★")
	case m.cmp.marked[id]:
		if c, ok := m.cmp.colors[id]; ok && m.theme != ThemeASCII {
			return m.st.series(c).Render("◆")
		}
		return "◆"
	}
	return " "
}

// listTitle is the run list's title: "runs", with the filter when one is applied.
func (m *Model) listTitle() string {
	t := "runs"
	if m.cmp.on {
		t += " · compare"
	}
	if m.cmp.filter != nil {
		t += " · " + m.cmp.filter.text
	}
	return t
}

// compareSummary says which runs are compared and how they were chosen: "3 runs: every train run ·
// pinned sweep-a".
func (m *Model) compareSummary() string {
	n := len(m.cmp.ids)
	parts := []string{fmt.Sprintf("%d run%s: %s", n, plural(n), m.cmp.why)}
	if m.cmp.pinned != "" && slices.Contains(m.cmp.ids, m.cmp.pinned) {
		parts = append(parts, "pinned "+m.cmp.pinned)
	}
	if m.cmp.left > 0 {
		parts = append(parts, fmt.Sprintf("%d more not shown (at most %d): mark fewer", m.cmp.left, maxCompare))
	}
	return strings.Join(parts, " · ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
