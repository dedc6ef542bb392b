package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/internal/config"
)

// launcherFooter is the number of lines under the launcher's boxes: the focused row's help, the
// last action's note, and the keys.
const launcherFooter = 3

// renderLauncher draws the launcher in exactly m.width × m.height cells:
//
//	╭─ new run: experiments ──────────────────────────────╮
//	│▸ train      train one classifier on MNIST …          │
//	│  logits     paper 1: standard vs adversarial …       │
//	╰──────────────────────────────────────────────────────╯
//	╭─ train settings · 1 quick demo · 2 paper-like ──────╮
//	│  setting        value      default    allowed        │
//	│▸ ▶ start train                                       │
//	│  epochs         2          10         1..1000        │
//	╰──────────────────────────────────────────────────────╯
//	 train.epochs (int): passes over the training set
//	 note: what the last key did, or why a value was refused
//	 keys
func (m *Model) renderLauncher() string {
	w, h := m.width, m.height
	if w < minWidth || h < minHeight {
		return placeText(w, h, fmt.Sprintf("terminal too small (%d×%d): logitlab needs at least %d×%d", w, h, minWidth, minHeight))
	}
	l := m.launch
	listH := min(len(m.exps)+2, max(h-launcherFooter-6, 3))
	formH := h - listH - launcherFooter
	exp := m.exps[l.exp]
	rows := m.formRows()

	list := m.paneBox("new run: experiments", m.experimentList(w-2, listH-2), w, listH, !l.inForm)
	title := exp.Name + " settings"
	if ps := config.Presets(exp.Name); len(ps) >= 2 {
		title += fmt.Sprintf(" · 1 %s · 2 %s", ps[0].Name, ps[1].Name)
	}
	form := m.paneBox(title, m.settingsForm(exp, rows, w-2, formH-2), w, formH, l.inForm)

	help, keys := "", ""
	switch {
	case !l.inForm:
		help = exp.Name + ": " + exp.Summary
		if len(exp.Sections) > 0 {
			help += " · settings: [" + strings.Join(exp.Sections, "], [") + "]"
		}
		keys = "↑/↓ experiment · enter settings · 1 quick demo · 2 paper-like · esc back to the runs · q quit"
	case l.row == 0:
		help = "enter starts " + exp.Name + " with the settings below"
		keys = "↑/↓ row · enter start · 1/2 preset · tab/esc experiments · q quit"
	default:
		p := rows[l.row-1]
		kind := p.Kind.String()
		if p.Live {
			kind += ", live"
		}
		help = fmt.Sprintf("%s (%s): %s", p.Name(), kind, p.Help)
		keys = "↑/↓ row · enter edit · ←/→ choose · d default · 1/2 preset · tab/esc experiments · q quit"
		if p.Kind == config.KindEnum || p.Kind == config.KindBool {
			keys = "↑/↓ row · ←/→ or enter choose · d default · 1/2 preset · tab/esc experiments · q quit"
		}
	}
	nt := l.note
	if l.edit != nil {
		keys = "type a value · enter sets it (checked as config.toml would be) · esc cancels · ctrl+u clears"
		if nt.text == "" {
			nt = note{"editing " + rows[l.row-1].Name(), levelInfo}
		}
	}
	lines := []string{list, form,
		pad(" "+truncate(help, w-1), w),
		pad(" "+m.st.forLevel(nt.level).Render(truncate(nt.text, w-1)), w),
		pad(" "+m.st.dim.Render(truncate(keys, w-1)), w),
	}
	return strings.Join(lines, "\n")
}

// experimentList renders the experiments, one a line: the chosen one marked, each with its summary.
func (m *Model) experimentList(width, height int) string {
	l := m.launch
	nameW := 0
	for _, e := range m.exps {
		nameW = max(nameW, lipgloss.Width(e.Name))
	}
	start := 0
	if len(m.exps) > height {
		start = min(max(l.exp-height/2, 0), len(m.exps)-height)
	}
	var out []string
	for i := start; i < len(m.exps) && i < start+height; i++ {
		e := m.exps[i]
		name := pad(e.Name, nameW)
		if i != l.exp {
			out = append(out, pad("  "+name+"  "+m.st.dim.Render(e.Summary), width))
			continue
		}
		if !l.inForm {
			out = append(out, m.st.selected.Render(pad("▸ "+name+"  "+e.Summary, width)))
			continue
		}
		out = append(out, pad("▸ "+m.st.title.Render(name)+"  "+e.Summary, width))
	}
	return strings.Join(out, "\n")
}

// settingsForm renders the header and the visible rows of the form: "start", then one row per
// setting with its key, value, default and allowed values. It scrolls so the focused row shows.
func (m *Model) settingsForm(exp Experiment, rows []config.Param, width, height int) string {
	l := m.launch
	keyW := len("setting")
	for _, p := range rows {
		keyW = max(keyW, len(p.Key))
	}
	keyW = min(keyW, max(width/4, 8))
	rest := max(width-2-keyW-6, 12)
	valW := rest * 35 / 100
	defW := rest * 25 / 100
	allowW := rest - valW - defW
	cell := func(s string, w int) string { return pad(truncate(s, w), w) }

	visible := max(height-1, 1)
	if l.row < l.top {
		l.top = l.row
	}
	if l.row >= l.top+visible {
		l.top = l.row - visible + 1
	}
	l.top = min(l.top, max(len(rows)+1-visible, 0))

	out := []string{m.st.dim.Render(pad("  "+cell("setting", keyW)+"  "+cell("value", valW)+"  "+cell("default", defW)+"  "+"allowed", width))}
	for i := l.top; i <= len(rows) && i < l.top+visible; i++ {
		focused := l.inForm && i == l.row
		mark := "  "
		if focused {
			mark = "▸ "
		}
		if i == 0 {
			text := "▶ start " + exp.Name
			if l.starting {
				text += " (starting…)"
			}
			if focused {
				out = append(out, m.st.selected.Render(pad(mark+text, width)))
			} else {
				out = append(out, pad(mark+m.st.title.Render(text), width))
			}
			continue
		}
		p := rows[i-1]
		val, _ := l.cfg.Text(p.Name())
		def := p.Text(p.Default)
		if val == "" {
			val = `""`
		}
		if def == "" {
			def = `""`
		}
		valCell := cell(val, valW)
		switch {
		case focused && l.edit != nil:
			valCell = pad(l.edit.view(m.st, valW), valW)
		case val != def && !focused:
			valCell = m.st.info.Render(valCell)
		}
		row := mark + cell(p.Key, keyW) + "  " + valCell + "  " + cell(def, defW) + "  " + cell(p.Allowed(), allowW)
		if focused && l.edit == nil {
			row = m.st.selected.Render(pad(row, width))
		}
		out = append(out, pad(row, width))
	}
	return strings.Join(out, "\n")
}
