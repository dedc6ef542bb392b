package tui

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// runFilter is an applied run filter (key /): terms split by spaces that must all hold. A term
// key=value holds for a run whose config.toml has that setting at that value; any other term holds
// for a run whose id or experiment contains it, ignoring case.
type runFilter struct {
	text  string // as typed, trimmed
	terms []filterTerm
}

// filterTerm is one term of a runFilter.
type filterTerm struct {
	sub   string   // lower-case substring of an id or experiment; "" for a setting term
	names []string // the settings a key=value term may mean ("lr" may be train.lr or distill.lr)
	want  []any    // per name, the value parsed as that setting's kind; nil where it does not parse
}

// filterError says why the text of the filter line cannot be used.
type filterError struct {
	Term string // the offending term
	Msg  string // what is wrong and what would work
}

func (e *filterError) Error() string { return fmt.Sprintf("filter %q: %s", e.Term, e.Msg) }

// parseFilter parses the filter line. A key of a key=value term is a setting's full name
// ("distill.alpha") or a key of one or more sections ("lr"); its value is parsed as config.toml
// and flags would parse it (config.Config.Set), so 1e-3 and 0.001 are the same. An empty text is
// no filter (nil, nil). The error is a *filterError.
func parseFilter(text string) (*runFilter, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	f := &runFilter{text: text}
	for _, t := range strings.Fields(text) {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			f.terms = append(f.terms, filterTerm{sub: strings.ToLower(t)})
			continue
		}
		term, err := settingTerm(t, strings.TrimSpace(k), strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		f.terms = append(f.terms, term)
	}
	return f, nil
}

// settingTerm parses the term t, key=value.
func settingTerm(t, k, v string) (filterTerm, error) {
	if k == "" || v == "" {
		return filterTerm{}, &filterError{t, "want key=value, such as lr=0.001 or distill.alpha=1"}
	}
	var names, all []string
	for _, p := range config.Params() {
		all = append(all, p.Name(), p.Key)
		if p.Name() == k || p.Key == k {
			names = append(names, p.Name())
		}
	}
	if len(names) == 0 {
		msg := "no setting is called " + k + " (logitlab --help lists them)"
		if s, ok := closest(k, all); ok {
			msg = "no setting is called " + k + ": did you mean " + s + "?"
		}
		return filterTerm{}, &filterError{t, msg}
	}
	term := filterTerm{names: names, want: make([]any, len(names))}
	var first error
	parsed := false
	for i, n := range names {
		probe := config.Default()
		if err := probe.Set(n, v); err != nil {
			first = cmp.Or(first, err)
			continue
		}
		term.want[i], _ = probe.Value(n)
		parsed = true
	}
	if !parsed {
		return filterTerm{}, &filterError{t, refusalText(first)}
	}
	return term, nil
}

// matches reports whether the run info passes f. c is the run's config (nil when its config.toml
// cannot be read: then no key=value term holds), and sections are the config sections of its
// experiment: a key that several sections have is looked up in those first, in any section when
// none of them has it.
func (f *runFilter) matches(info lab.RunInfo, c *config.Config, sections []string) bool {
	for _, t := range f.terms {
		if !t.holds(info, c, sections) {
			return false
		}
	}
	return true
}

func (t filterTerm) holds(info lab.RunInfo, c *config.Config, sections []string) bool {
	if t.names == nil {
		return strings.Contains(strings.ToLower(info.ID), t.sub) || strings.Contains(strings.ToLower(info.Experiment), t.sub)
	}
	if c == nil {
		return false
	}
	idx := make([]int, 0, len(t.names))
	for i, n := range t.names {
		sec, _, _ := strings.Cut(n, ".")
		if slices.Contains(sections, sec) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		for i := range t.names {
			idx = append(idx, i)
		}
	}
	for _, i := range idx {
		if t.want[i] == nil {
			continue
		}
		if got, ok := c.Value(t.names[i]); ok && sameValue(got, t.want[i]) {
			return true
		}
	}
	return false
}

// sameValue compares two setting values of the same kind; numbers are equal within a relative
// 1e-9, so that 0.1+0.2 matches 0.3.
func sameValue(a, b any) bool {
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	if ok1 && ok2 {
		return x == y || math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
	}
	return a == b
}

// runConfig returns run info's config.toml, read once per session and kept; nil when it cannot be
// read (a run loaded from a damaged directory).
func (m *Model) runConfig(info lab.RunInfo) *config.Config {
	if m.cmp.cfgs == nil {
		m.cmp.cfgs = map[string]cfg{}
	}
	c, ok := m.cmp.cfgs[info.ID]
	if !ok {
		c.err = fmt.Errorf("run %s has no directory", info.ID)
		if info.Dir != "" {
			c.c, c.err = config.Load(filepath.Join(info.Dir, "config.toml"))
		}
		m.cmp.cfgs[info.ID] = c
	}
	if c.err != nil {
		return nil
	}
	return &c.c
}

// passes reports whether run info passes the filter f, and whether its config could be read when f
// needs it.
func (m *Model) passes(f *runFilter, info lab.RunInfo) (ok, readable bool) {
	var c *config.Config
	readable = true
	for _, t := range f.terms {
		if t.names != nil {
			c = m.runConfig(info)
			readable = c != nil
			break
		}
	}
	return f.matches(info, c, m.sectionsOf(info.Experiment)), readable
}

// filtered returns the rows f lets through, in list order, and how many rows had no readable
// config.toml when f has a key=value term.
func (m *Model) filtered(f *runFilter) (rows []lab.RunInfo, unreadable int) {
	if f == nil {
		return m.rows, 0
	}
	for _, r := range m.rows {
		ok, readable := m.passes(f, r)
		if !readable {
			unreadable++
		}
		if ok {
			rows = append(rows, r)
		}
	}
	return rows, unreadable
}

// visibleRows is the run list as shown: every run, or those the applied filter lets through.
func (m *Model) visibleRows() []lab.RunInfo {
	rows, _ := m.filtered(m.cmp.filter)
	return rows
}

// rowIndex is the position of run id in rows, or -1.
func rowIndex(rows []lab.RunInfo, id string) int {
	for i, r := range rows {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// openFilter opens the filter line with the applied filter's text.
func (m *Model) openFilter() {
	text := ""
	if m.cmp.filter != nil {
		text = m.cmp.filter.text
	}
	m.cmp.edit = newLineEdit(text)
}

// onFilterKey handles a key while the filter line is open: enter applies the filter (an empty one
// clears it; one that cannot be parsed stays open and says why), esc closes the line unchanged,
// and other keys edit it.
func (m *Model) onFilterKey(k tea.KeyPressMsg) {
	switch k.String() {
	case "esc":
		m.cmp.edit = nil
		m.notice = note{"filter unchanged", levelInfo}
	case "enter":
		f, err := parseFilter(m.cmp.edit.String())
		if err != nil {
			m.notice = note{err.Error(), levelError}
			return
		}
		m.cmp.edit = nil
		m.setFilter(f)
	default:
		m.cmp.edit.key(k)
		m.notice = note{}
	}
}

// setFilter applies f (nil clears the filter), moves the selection onto a run it lets through,
// and says in the notice line what it did, including when it lets no run through.
func (m *Model) setFilter(f *runFilter) {
	m.cmp.filter = f
	if f == nil {
		m.notice = note{"filter cleared", levelInfo}
		m.pullCompared()
		return
	}
	rows, unreadable := m.filtered(f)
	if len(rows) > 0 && rowIndex(rows, m.selected) < 0 {
		m.selected = rows[0].ID
		m.pullSelected()
	}
	m.pullCompared()
	msg := fmt.Sprintf("filter %s: %d of %d runs", f.text, len(rows), len(m.rows))
	lvl := levelInfo
	if len(rows) == 0 {
		msg = fmt.Sprintf("the filter %s lets none of the %d runs through: / edits it, esc clears it", f.text, len(m.rows))
		lvl = levelWarn
	}
	if unreadable > 0 {
		msg += fmt.Sprintf(" (%d without a readable config.toml match no setting)", unreadable)
	}
	m.notice = note{msg, lvl}
}

// filterSummary is the status line that names the applied filter, or says how to set one.
func (m *Model) filterSummary() string {
	f := m.cmp.filter
	if f == nil {
		return m.st.dim.Render("no filter · " + m.keys.Filter.Help().Key + " filters by id, experiment or setting: lr=0.001 distill.alpha=1")
	}
	rows, unreadable := m.filtered(f)
	s := m.st.label.Render("filter ") + m.st.value.Render(f.text) + m.st.dim.Render(fmt.Sprintf(" · %d of %d runs", len(rows), len(m.rows)))
	if unreadable > 0 {
		s += m.st.warn.Render(fmt.Sprintf(" · %d without a readable config.toml", unreadable))
	}
	if len(rows) == 0 {
		s += m.st.warn.Render(" · none passes: esc clears it")
	}
	return s
}

// filterPrompt draws the filter line being typed in width cells: the field, then what the text
// would do (how many runs it lets through, or why it cannot be used).
func (m *Model) filterPrompt(width int) string {
	label := m.st.label.Render("filter ")
	text := m.cmp.edit.String()
	var hint string
	f, err := parseFilter(text)
	switch {
	case err != nil:
		var fe *filterError
		if errors.As(err, &fe) {
			err = errors.New(fe.Msg)
		}
		hint = m.st.warn.Render(err.Error())
	case f == nil:
		hint = m.st.dim.Render("enter with nothing clears it · a part of an id or experiment, or key=value (lr=0.001)")
	default:
		rows, _ := m.filtered(f)
		hint = m.st.dim.Render(fmt.Sprintf("%d of %d runs · enter applies · esc cancels", len(rows), len(m.rows)))
	}
	fieldW := max(min(len([]rune(text))+2, width/2), 8)
	return truncate(label+m.cmp.edit.view(m.st, fieldW)+"  "+hint, width)
}

// filterEmptyText is what the run list says when the filter lets no run through.
func (m *Model) filterEmptyText() string {
	return fmt.Sprintf("no run matches\n%s\n(0 of %d runs)\n%s edits · esc clears", m.cmp.filter.text, len(m.rows), m.keys.Filter.Help().Key)
}
