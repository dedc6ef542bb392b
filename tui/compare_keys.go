package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// yieldFixed drops from the bindings that tui.keys cannot remap yet (compare, mark, pin, filter)
// every key a remappable action now uses, so that a remap such as "pause=p space" keeps working:
// the remap wins and the help shows the keys left. A binding left with no key is disabled.
func (k *keyMap) yieldFixed() {
	taken := map[string]bool{}
	for _, a := range k.actions() {
		for _, kk := range a.b.Keys() {
			taken[kk] = true
		}
	}
	for _, b := range []*key.Binding{&k.Compare, &k.Mark, &k.Pin, &k.Filter, &k.Export} {
		var left []string
		for _, kk := range b.Keys() {
			if !taken[kk] {
				left = append(left, kk)
			}
		}
		if len(left) == len(b.Keys()) {
			continue
		}
		desc := b.Help().Desc
		*b = key.NewBinding(key.WithKeys(left...), key.WithHelp(keyLabel(left), desc))
		if len(left) == 0 {
			b.SetEnabled(false)
		}
	}
}

// onCompareKey handles the keys of compare mode and of the run filter, in both views: it reports
// whether k was one of them. In compare mode it also takes over the pane keys (tab, log-y, [ ], E).
func (m *Model) onCompareKey(k tea.KeyPressMsg) bool {
	switch {
	case key.Matches(k, m.keys.Compare):
		m.toggleCompare()
	case key.Matches(k, m.keys.Mark):
		m.toggleMark()
	case key.Matches(k, m.keys.Pin):
		m.togglePin()
	case key.Matches(k, m.keys.Filter):
		m.openFilter()
	case k.String() == "esc" && m.cmp.on:
		m.cmp.on = false
		m.notice = note{"compare mode closed", levelInfo}
	case k.String() == "esc" && m.cmp.filter != nil:
		m.setFilter(nil)
		m.notice = note{"filter cleared", levelInfo}
	case !m.cmp.on:
		return false
	case key.Matches(k, m.keys.Next):
		m.cycleCompareFocus(+1)
	case key.Matches(k, m.keys.Prev):
		m.cycleCompareFocus(-1)
	case key.Matches(k, m.keys.LogY):
		m.toggleCompareLogY()
	case key.Matches(k, m.keys.Older), key.Matches(k, m.keys.Newer):
		m.notice = note{"compare mode draws no histograms: v goes back to the run view to step through them", levelInfo}
	case key.Matches(k, m.keys.Export):
		m.notice = note{"export works on one run's pane: v goes back to the run view, then E", levelWarn}
	default:
		return false
	}
	return true
}

// toggleCompare opens or closes compare mode.
func (m *Model) toggleCompare() {
	m.cmp.on = !m.cmp.on
	if !m.cmp.on {
		m.notice = note{"compare mode closed", levelInfo}
		return
	}
	m.zoom = false
	m.pullCompared()
}

// toggleMark marks the selected run for comparison, or unmarks it.
func (m *Model) toggleMark() {
	id := m.selected
	if id == "" {
		m.notice = note{"no run to mark", levelWarn}
		return
	}
	if m.cmp.marked == nil {
		m.cmp.marked = map[string]bool{}
	}
	if m.cmp.marked[id] {
		delete(m.cmp.marked, id)
		m.notice = note{fmt.Sprintf("unmarked %s (%d marked)", id, len(m.cmp.marked)), levelInfo}
	} else {
		m.cmp.marked[id] = true
		m.notice = note{fmt.Sprintf("marked %s (%d marked)", id, len(m.cmp.marked)), levelInfo}
	}
	if len(m.cmp.marked) == 0 {
		m.notice.text += ": compare shows every run of the selected run's experiment"
	} else if !m.cmp.on {
		m.notice.text += ": " + m.keys.Compare.Help().Key + " compares them"
	}
	m.pullCompared()
}

// togglePin pins the selected run (drawn last and bold, always compared), or unpins it.
func (m *Model) togglePin() {
	id := m.selected
	switch {
	case id == "":
		m.notice = note{"no run to pin", levelWarn}
		return
	case m.cmp.pinned == id:
		m.cmp.pinned = ""
		m.notice = note{"unpinned " + id, levelInfo}
	default:
		m.cmp.pinned = id
		m.notice = note{"pinned " + id + ": drawn last and kept in every comparison", levelInfo}
	}
	m.pullCompared()
}

// cycleCompareFocus moves the focus d compare panes on, wrapping around.
func (m *Model) cycleCompareFocus(d int) {
	ps := m.comparePanes(m.compareIDs())
	i := (m.compareFocusIndex(ps) + d + len(ps)) % len(ps)
	m.cmp.focus = ps[i].key
}

// compareFocusIndex is the position of the focused compare pane in ps, or 0.
func (m *Model) compareFocusIndex(ps []pane) int {
	for i, p := range ps {
		if p.key == m.cmp.focus {
			return i
		}
	}
	return 0
}

// toggleCompareLogY switches the focused compare chart between a linear and a log10 y axis.
func (m *Model) toggleCompareLogY() {
	ps := m.comparePanes(m.compareIDs())
	p := ps[m.compareFocusIndex(ps)]
	if p.kind == paneCmpTable {
		m.notice = note{"the table has no y axis: tab to a chart first", levelInfo}
		return
	}
	if m.cmp.logY == nil {
		m.cmp.logY = map[string]bool{}
	}
	m.cmp.logY[p.key] = !m.compareLogY(p.key)
}

// compareHelp is the key help of compare mode's bottom line.
func (m *Model) compareHelp() []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	return []key.Binding{
		short(m.keys.Mark, "mark"), short(m.keys.Pin, "pin"), short(m.keys.Filter, "filter"),
		short(m.keys.Compare, "back"), m.keys.LogY, m.keys.Smooth, short(m.keys.Next, "pane"),
		short(m.keys.Zoom, "zoom"), m.keys.Help, m.keys.Quit,
	}
}
