package tui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// steerPanel is the steering form over the run view (key e): the live settings of the selected
// run's experiment, the value the run last applied for each, what this user asked for and the run
// has not answered yet, and the run's log of who changed what when.
type steerPanel struct {
	run    string         // the run it steers
	exp    string         // that run's experiment
	params []config.Param // the live settings of the experiment's config sections
	cfg    config.Config  // the run's settings as it started: shown until it reports values, and the form's parser
	row    int
	edit   *lineEdit // non-nil while a value is being typed
	note   note
}

// pendingSet is a Set this user sent that the run has not answered yet.
type pendingSet struct {
	name  string
	value float64
}

// answer is a run's reply to a Set command: applied (a SettingApplied event) or refused (a warning
// Message "<by> refused: <why>", see lab.Env.Between). Commands are answered in the order they were
// sent, one answer each, so a user's answers match their pending Sets first in, first out.
type answer struct {
	by      string
	name    string // applied: the setting
	value   float64
	step    int64
	refused string // non-empty: why the run refused
}

// change is one line of a run's "who changed what when" log.
type change struct {
	at    time.Time
	step  int64
	text  string
	level noteLevel
}

// maxChanges caps a run's change log; the oldest lines go first.
const maxChanges = 200

// refusal parses the warning a run emits when it refuses a setting: "<by> refused: <why>".
func refusal(text string) (by, why string, ok bool) {
	by, why, ok = strings.Cut(text, " refused: ")
	if !ok || by == "" || strings.ContainsAny(by, " \n") {
		return "", "", false
	}
	return by, why, true
}

// logChange adds ev to the change log when it is a setting applied or refused, a pause or resume,
// or the end of the run.
func (s *runState) logChange(ev lab.Event) {
	var c change
	switch v := ev.Body.(type) {
	case lab.SettingApplied:
		c = change{step: v.Step, text: fmt.Sprintf("%s = %s%s", v.Name, fmtNum(v.Value), byWhom(v.By))}
	case lab.StatusChanged:
		c = change{step: v.Step, text: string(v.Status) + byWhom(v.By)}
	case lab.Message:
		by, why, ok := refusal(v.Text)
		if !ok || v.Level != "warn" {
			return
		}
		c = change{step: s.step.Step, text: "refused for " + by + ": " + why, level: levelWarn}
	case lab.Stopped:
		c = change{step: v.Step, text: "stopped: " + v.Reason, level: levelWarn}
	case lab.Failed:
		c = change{step: v.Step, text: "failed: " + v.Reason, level: levelError}
	case lab.Finished:
		c = change{step: v.Step, text: "finished"}
	default:
		return
	}
	c.at = ev.Time
	s.changes = append(s.changes, c)
	if len(s.changes) > maxChanges {
		s.changes = append(s.changes[:0:0], s.changes[len(s.changes)-maxChanges:]...)
	}
}

// openSteer opens the steering panel on the selected run.
func (m *Model) openSteer() {
	info, ok := m.selectedInfo()
	if !ok {
		m.notice = note{"no run selected", levelWarn}
		return
	}
	p := &steerPanel{run: info.ID, exp: info.Experiment, cfg: m.base}
	if info.Dir != "" {
		if c, err := config.Load(filepath.Join(info.Dir, "config.toml")); err == nil {
			p.cfg = c
		} else {
			p.note = note{"the run's config.toml cannot be read, so values are checked against this session's settings: " + err.Error(), levelWarn}
		}
	}
	for _, sec := range m.sectionsOf(info.Experiment) {
		for _, q := range config.Params() {
			if q.Section == sec && q.Live {
				p.params = append(p.params, q)
			}
		}
	}
	m.steer = p
}

// onSteerKey handles a key press while the steering panel is open. It reports whether the key was
// the panel's; other keys (p, x, c, +, -, ?, tab …) go on to the run view.
func (m *Model) onSteerKey(k tea.KeyPressMsg) bool {
	sp := m.steer
	if sp.edit != nil {
		switch k.String() {
		case "enter":
			m.sendSteer()
		case "esc":
			sp.edit, sp.note = nil, note{"edit cancelled", levelInfo}
		default:
			sp.edit.key(k)
		}
		return true
	}
	switch {
	case k.String() == "esc" || key.Matches(k, m.keys.Steer):
		m.steer = nil
	case k.String() == "up" || k.String() == "k":
		sp.row = max(sp.row-1, 0)
	case k.String() == "down" || k.String() == "j":
		sp.row = min(sp.row+1, max(len(sp.params)-1, 0))
	case k.String() == "enter":
		m.beginSteerEdit()
	default:
		return false
	}
	return true
}

// beginSteerEdit opens the focused setting for typing, starting from the value the run applied.
func (m *Model) beginSteerEdit() {
	sp := m.steer
	switch {
	case len(sp.params) == 0:
		sp.note = note{"the " + sp.exp + " experiment has no live settings", levelWarn}
		return
	case m.readOnly:
		sp.note = note{"read-only session: setting " + sp.params[sp.row].Key + " refused", levelWarn}
		return
	}
	p := sp.params[sp.row]
	if p.Kind != config.KindInt && p.Kind != config.KindFloat {
		sp.note = note{p.Name() + " is not a number and cannot be sent to a running run", levelWarn}
		return
	}
	text, _ := sp.cfg.Text(p.Name())
	if info, ok := m.selectedInfo(); ok {
		if v, ok := info.Settings[p.Key]; ok {
			text = strconv.FormatFloat(v, 'g', -1, 64)
			if p.Kind == config.KindInt {
				text = strconv.FormatInt(int64(v), 10)
			}
		}
	}
	sp.edit, sp.note = newLineEdit(text), note{}
}

// sendSteer checks the typed value with the config's parser (range, integer …) and sends it to the
// run as a Set command; the value shows as pending until the run answers.
func (m *Model) sendSteer() {
	sp := m.steer
	p := sp.params[sp.row]
	c := sp.cfg
	if err := c.Set(p.Name(), sp.edit.String()); err != nil {
		sp.note = note{"refused: " + refusalText(err), levelError}
		return
	}
	var v float64
	switch x, _ := c.Value(p.Name()); x := x.(type) {
	case int64:
		v = float64(x)
	case float64:
		v = x
	}
	r, ok := m.handles[sp.run]
	if !ok || m.selected != sp.run {
		sp.note = note{"run " + sp.run + " is no longer selected", levelWarn}
		return
	}
	if info := r.Info(); info.Status.Final() || info.Status == lab.StatusInterrupted {
		sp.note = note{fmt.Sprintf("run %s has ended (%s)", info.ID, info.Status), levelWarn}
		return
	}
	if err := r.Send(lab.Set(p.Key, v, m.user)); err != nil {
		sp.note = note{err.Error(), levelError}
		return
	}
	m.pending[sp.run] = append(m.pending[sp.run], pendingSet{name: p.Key, value: v})
	sp.edit = nil
	sp.note = note{fmt.Sprintf("asked for %s = %s; pending until the run applies it", p.Key, fmtNum(v)), levelInfo}
}

// resolvePending matches this user's answers from run id with the Sets they sent, first in first
// out, and says what the run did: in the notice line, and in the steering panel when it is open.
func (m *Model) resolvePending(id string, answers []answer) {
	for _, a := range answers {
		q := m.pending[id]
		if a.by != m.user || len(q) == 0 {
			continue
		}
		var n note
		if a.refused != "" {
			n = note{fmt.Sprintf("the run refused %s = %s: %s", q[0].name, fmtNum(q[0].value), a.refused), levelWarn}
			q = q[1:]
		} else {
			i := 0
			for i < len(q) && q[i].name != a.name {
				i++
			}
			if i == len(q) {
				continue
			}
			q = append(q[:i:i], q[i+1:]...)
			n = note{fmt.Sprintf("%s is now %s (the run applied it at step %d)", a.name, fmtNum(a.value), a.step), levelInfo}
		}
		m.pending[id] = q
		m.notice = n
		if m.steer != nil && m.steer.run == id {
			m.steer.note = n
		}
	}
}
