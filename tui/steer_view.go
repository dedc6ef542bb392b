package tui

import (
	"fmt"
	"strings"
)

// Steering panel layout limits.
const (
	steerMaxW       = 100 // cells, border included
	steerMaxChanges = 12  // change-log lines shown at most
)

// withSteer draws the steering panel centred over base (a width × height run view):
//
//	╭─ steer mnist-a · train ─────────────────────────────╮
//	│  setting  applied    asked            allowed        │
//	│▸ lr       0.01       0.02 (pending)   (0, 1e+06]     │
//	│                                                      │
//	│ train.lr: learning rate per step                     │
//	│ asked for lr = 0.02; pending until the run applies it│
//	│                                                      │
//	│ who changed what when                                │
//	│ 12:03:04  step 310  lr = 0.02 by tui                 │
//	│ ↑/↓ setting · enter new value · esc close · …        │
//	╰──────────────────────────────────────────────────────╯
func (m *Model) withSteer(base string, width, height int) string {
	sp := m.steer
	bw := min(width-4, steerMaxW)
	iw := bw - 3 // inside the frame, after a blank column
	info, _ := m.selectedInfo()
	s := m.state(sp.run)

	var lines []string
	keyW := len("setting")
	for _, p := range sp.params {
		keyW = max(keyW, len(p.Key))
	}
	const appliedW, askedW = 12, 20
	allowW := max(iw-2-keyW-appliedW-askedW-6, 4)
	cell := func(s string, w int) string { return pad(truncate(s, w), w) }
	if len(sp.params) == 0 {
		lines = append(lines, m.st.warn.Render(fmt.Sprintf("the %s experiment has no live settings: p pauses, x stops, c checkpoints", sp.exp)))
	} else {
		lines = append(lines, m.st.dim.Render("  "+cell("setting", keyW)+"  "+cell("applied", appliedW)+"  "+cell("asked", askedW)+"  allowed"))
	}
	pend := m.pending[sp.run]
	for i, p := range sp.params {
		mark := "  "
		if i == sp.row {
			mark = "▸ "
		}
		applied := m.st.value.Render(cell("", appliedW))
		if v, ok := info.Settings[p.Key]; ok && info.ID == sp.run {
			applied = m.st.value.Render(cell(fmtNum(v), appliedW))
		} else if t, ok := sp.cfg.Text(p.Name()); ok {
			applied = m.st.dim.Render(cell(t, appliedW))
		}
		asked := cell("", askedW)
		for _, q := range pend {
			if q.name == p.Key {
				asked = m.st.warn.Render(cell(fmtNum(q.value)+" (pending)", askedW))
			}
		}
		if i == sp.row && sp.edit != nil {
			asked = pad(sp.edit.view(m.st, askedW), askedW)
		}
		head := mark + cell(p.Key, keyW)
		if i == sp.row && sp.edit == nil {
			head = m.st.selected.Render(head)
		}
		lines = append(lines, head+"  "+applied+"  "+asked+"  "+cell(p.Allowed(), allowW))
	}
	lines = append(lines, "")
	if len(sp.params) > 0 {
		p := sp.params[sp.row]
		lines = append(lines, m.st.dim.Render(truncate(p.Name()+": "+p.Help, iw)))
	}
	nt := sp.note
	if nt.text == "" {
		nt = note{"enter types a new value for the run; it shows here once the run has applied it", levelInfo}
		if sp.edit != nil {
			nt = note{"type a value · enter sends it · esc cancels", levelInfo}
		}
	}
	lines = append(lines, m.st.forLevel(nt.level).Render(truncate(nt.text, iw)), "", m.st.title.Render("who changed what when"))

	room := height - 2 - 2 - len(lines) - 1 // frame and margin, lines so far, the key line
	shown := min(len(s.changes), steerMaxChanges, max(room, 1))
	if len(s.changes) == 0 {
		lines = append(lines, m.st.dim.Render("nothing changed yet"))
	}
	for _, c := range s.changes[len(s.changes)-shown:] {
		line := fmt.Sprintf("%s  step %-7s %s", c.at.In(m.tz).Format("15:04:05"), fmtInt(c.step), c.text)
		lines = append(lines, m.st.forLevel(c.level).Render(truncate(line, iw)))
	}
	lines = append(lines, m.st.dim.Render(truncate("↑/↓ setting · enter new value · esc close · p pause · x stop · c checkpoint", iw)))
	lines = lines[:min(len(lines), max(height-4, 3))]
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	box := m.paneBox("steer "+sp.run+" · "+sp.exp, strings.Join(lines, "\n"), bw, len(lines)+2, true)
	return overlay(base, box, width, height)
}
