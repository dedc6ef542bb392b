package tui

import (
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/internal/config"
)

// launcher is the state of the new-run screen: which experiment is chosen, the settings form and
// what is being typed into it. It is kept between openings, so edits survive a look at the runs.
type launcher struct {
	exp      int           // index into Model.exps
	inForm   bool          // keys go to the settings form (else to the experiment list)
	row      int           // focused form row: 0 is "start", i ≥ 1 the setting formRows()[i-1]
	top      int           // first form row shown
	cfg      config.Config // the settings being edited, all sections
	edit     *lineEdit     // non-nil while a value is being typed
	note     note          // what the last key did, or why it was refused
	starting bool          // Start is running; enter is ignored until it answers
}

// openLauncher shows the launcher (a no-op for sessions that cannot start runs).
func (m *Model) openLauncher() {
	if m.start == nil || len(m.exps) == 0 {
		return
	}
	if m.launch == nil {
		l := &launcher{cfg: m.base}
		for i, e := range m.exps {
			if e.Name == "train" {
				l.exp = i
			}
		}
		m.launch = l
	}
	m.launch.note = note{}
	m.launching = true
	m.steer = nil
	m.dirty = true
}

// formRows are the settings of the chosen experiment's config sections, in registry order within
// the order of its sections.
func (m *Model) formRows() []config.Param {
	var out []config.Param
	ps := config.Params()
	for _, sec := range m.exps[m.launch.exp].Sections {
		for _, p := range ps {
			if p.Section == sec {
				out = append(out, p)
			}
		}
	}
	return out
}

// typing reports whether a form field has the keyboard, so that q is text and not quit.
func (m *Model) typing() bool {
	return (m.launching && m.launch != nil && m.launch.edit != nil) || (m.steer != nil && m.steer.edit != nil) || m.cmp.edit != nil
}

// onLauncherKey handles a key press on the launcher.
func (m *Model) onLauncherKey(k tea.KeyPressMsg) tea.Cmd {
	l := m.launch
	if l.edit != nil {
		switch k.String() {
		case "enter":
			m.commitEdit()
		case "esc":
			l.edit, l.note = nil, note{"edit cancelled", levelInfo}
		default:
			l.edit.key(k)
		}
		return nil
	}
	l.note = note{}
	switch k.String() {
	case "esc":
		if l.inForm {
			l.inForm = false
		} else {
			m.launching = false
		}
		return nil
	case "tab", "shift+tab":
		l.inForm = !l.inForm
		return nil
	case "1", "2":
		m.applyPreset(int(k.String()[0] - '1'))
		return nil
	}
	if !l.inForm {
		switch k.String() {
		case "up", "k":
			m.chooseExperiment(-1)
		case "down", "j":
			m.chooseExperiment(+1)
		case "enter", "right", "l":
			l.inForm = true
		}
		return nil
	}
	rows := m.formRows()
	page := max(m.height-len(m.exps)-8, 1)
	switch k.String() {
	case "up", "k":
		l.row = max(l.row-1, 0)
	case "down", "j":
		l.row = min(l.row+1, len(rows))
	case "pgup":
		l.row = max(l.row-page, 0)
	case "pgdown":
		l.row = min(l.row+page, len(rows))
	case "home", "g":
		l.row = 0
	case "end", "G":
		l.row = len(rows)
	case "left", "h":
		m.cycle(rows, -1)
	case "right", "l", "space":
		m.cycle(rows, +1)
	case "d":
		m.resetRow(rows)
	case "enter":
		if l.row == 0 {
			return m.startFromLauncher()
		}
		p := rows[l.row-1]
		if p.Kind == config.KindEnum || p.Kind == config.KindBool {
			m.cycle(rows, +1)
			return nil
		}
		text, _ := l.cfg.Text(p.Name())
		l.edit = newLineEdit(text)
	}
	return nil
}

// chooseExperiment moves the experiment choice d places.
func (m *Model) chooseExperiment(d int) {
	l := m.launch
	if i := min(max(l.exp+d, 0), len(m.exps)-1); i != l.exp {
		l.exp, l.row, l.top = i, 0, 0
	}
}

// cycle steps an enum's choice d places (wrapping) or toggles a bool; other kinds are typed.
func (m *Model) cycle(rows []config.Param, d int) {
	l := m.launch
	if l.row == 0 {
		return
	}
	p := rows[l.row-1]
	cur, _ := l.cfg.Text(p.Name())
	var next string
	switch p.Kind {
	case config.KindEnum:
		i := slices.Index(p.Choices, cur)
		next = p.Choices[((i+d)%len(p.Choices)+len(p.Choices))%len(p.Choices)]
	case config.KindBool:
		next = fmt.Sprint(cur != "true")
	default:
		l.note = note{"press enter to type a value for " + p.Name(), levelInfo}
		return
	}
	if err := l.cfg.Set(p.Name(), next); err != nil {
		l.note = note{"refused: " + refusalText(err), levelError}
	}
}

// resetRow sets the focused setting back to its default.
func (m *Model) resetRow(rows []config.Param) {
	l := m.launch
	if l.row == 0 {
		return
	}
	p := rows[l.row-1]
	if err := l.cfg.Set(p.Name(), p.Text(p.Default)); err != nil {
		l.note = note{"refused: " + refusalText(err), levelError}
		return
	}
	l.note = note{p.Name() + " is back at its default", levelInfo}
}

// commitEdit stores the typed value through the config's own parser, or keeps the field open and
// says why the value is refused.
func (m *Model) commitEdit() {
	l := m.launch
	p := m.formRows()[l.row-1]
	if err := l.cfg.Set(p.Name(), l.edit.String()); err != nil {
		l.note = note{"refused: " + refusalText(err), levelError}
		return
	}
	v, _ := l.cfg.Text(p.Name())
	l.edit, l.note = nil, note{p.Name() + " = " + v, levelInfo}
}

// applyPreset applies the chosen experiment's preset i (0: quick demo, 1: paper-like).
func (m *Model) applyPreset(i int) {
	l := m.launch
	name := m.exps[l.exp].Name
	ps := config.Presets(name)
	if i >= len(ps) {
		l.note = note{"the " + name + " experiment has no presets", levelWarn}
		return
	}
	if err := ps[i].Apply(&l.cfg); err != nil {
		l.note = note{err.Error(), levelError}
		return
	}
	l.note = note{fmt.Sprintf("preset %s: %s", ps[i].Name, ps[i].Help), levelInfo}
}

// startFromLauncher starts the chosen experiment with the form's settings.
func (m *Model) startFromLauncher() tea.Cmd {
	l := m.launch
	if l.starting {
		return nil
	}
	if m.readOnly {
		l.note = note{"read-only session: new run refused", levelWarn}
		return nil
	}
	if err := l.cfg.Validate(); err != nil {
		l.note = note{"refused: " + refusalText(err), levelError}
		return nil
	}
	name := m.exps[l.exp].Name
	l.starting = true
	l.note = note{"starting " + name + "…", levelInfo}
	return startRun(m.ctx, m.start, name, l.cfg)
}
