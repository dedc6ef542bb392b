package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/logitlab/logitlab/lab"
)

// Params configures a Model. Zero-valued optional fields take defaults.
type Params struct {
	Lab *lab.Lab // required
	// User names who sends commands ("tui", later "ssh:alice"); "" means "tui".
	User string
	// ReadOnly makes a viewer: command keys (pause, stop, lr, new run) are refused with a message.
	ReadOnly bool
	// FPS caps frames per second; 0 means 10. Values are clamped to [1, 60].
	FPS int
	// Smoothing is the EMA weight of the past in [0, 1); 0 means 0.6, values ≥ 1 are clamped to 0.99.
	Smoothing float64
	// Header is shown at the right of the status line, e.g. "blas: openblas (SkylakeX)".
	Header string
	// NewRun starts a new run with the current settings (key `n`); nil disables the key. It gets the
	// session's context: an implementation whose runs must outlive the session starts them under its
	// own context and uses this one only to bound the start itself.
	NewRun func(ctx context.Context) (*lab.Run, error)
}

// Model is the root Bubble Tea model: the run list, the selected run's charts and status line, and
// the keys. Use it through New; one model serves one terminal.
type Model struct {
	ctx      context.Context
	lab      *lab.Lab
	sub      *lab.Subscription
	user     string
	readOnly bool
	frameGap time.Duration // 1/FPS
	weight   float64       // EMA weight
	header   string
	newRun   func(context.Context) (*lab.Run, error)

	keys keyMap
	help help.Model
	st   styles

	width, height int
	rows          []lab.RunInfo // newest first, as of the last pull
	handles       map[string]*lab.Run
	selected      string // run id; "" when there are no runs
	states        map[string]*runState

	focus    string // key of the focused pane (see panes); "" is the first
	zoom     bool   // the focused pane fills the area above the status lines
	ascii    bool   // the terminal shows no colour: galleries use a character ramp
	smooth   bool   // draw the EMA over the faint raw loss
	logY     bool
	showHelp bool
	confirm  string // id of the run whose stop awaits y/n; "" when none
	notice   note   // feedback to this user's last key; cleared by the next key
	awaitLR  string // id of the run asked for a new lr by this user; its SettingApplied is shown

	dirty  bool   // the cached frame is stale
	frame  string // the cached frame
	frames int    // frames rendered so far (tests check that idle pulls render nothing)
}

// Default values of Params fields.
const (
	defaultFPS       = 10
	defaultSmoothing = 0.6
	defaultUser      = "tui"
	defaultWidth     = 80
	defaultHeight    = 24
)

// New returns the root model for one terminal session. ctx is the session's context: every command
// that waits on the lab also waits on ctx.Done(), and the lab subscription is closed when ctx ends
// (or on quit). It panics if p.Lab is nil, which is a programming error.
func New(ctx context.Context, p Params) tea.Model {
	return newModel(ctx, p)
}

func newModel(ctx context.Context, p Params) *Model {
	if p.Lab == nil {
		panic("tui: Params.Lab is nil")
	}
	fps := p.FPS
	if fps == 0 {
		fps = defaultFPS
	}
	fps = min(max(fps, 1), 60)
	w := p.Smoothing
	switch {
	case w <= 0:
		w = defaultSmoothing
	case w >= 1:
		w = 0.99
	}
	user := p.User
	if user == "" {
		user = defaultUser
	}
	m := &Model{
		ctx:      ctx,
		lab:      p.Lab,
		sub:      p.Lab.Subscribe(),
		user:     user,
		readOnly: p.ReadOnly,
		frameGap: time.Second / time.Duration(fps),
		weight:   w,
		header:   p.Header,
		newRun:   p.NewRun,
		keys:     newKeyMap(p.NewRun != nil),
		help:     help.New(),
		st:       newStyles(),
		width:    defaultWidth,
		height:   defaultHeight,
		handles:  map[string]*lab.Run{},
		states:   map[string]*runState{},
		smooth:   true,
		dirty:    true,
	}
	m.help.Styles = m.st.help
	context.AfterFunc(ctx, m.sub.Close)
	return m
}

// Run runs the TUI on the terminal (or whatever opts say) until the user quits or ctx is cancelled.
func Run(ctx context.Context, p Params, opts ...tea.ProgramOption) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(ctx, p)
	defer m.sub.Close()
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	if _, err := tea.NewProgram(m, opts...).Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// Init starts waiting on the lab; the subscription is rung once at once, so the first pull follows.
func (m *Model) Init() tea.Cmd {
	return waitLab(m.ctx, m.sub.C(), time.Time{})
}

// Update routes a message to its handler (update.go).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width != m.width || msg.Height != m.height {
			m.width, m.height = msg.Width, msg.Height
			m.dirty = true
		}
		return m, nil
	case tea.ColorProfileMsg:
		if a := msg.Profile == colorprofile.ASCII || msg.Profile == colorprofile.NoTTY; a != m.ascii {
			m.ascii = a
			m.dirty = true
		}
		return m, nil
	case labChangedMsg:
		return m, m.onLabChanged()
	case newRunMsg:
		return m, m.onNewRun(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

// View returns the cached frame, rebuilding it only when something changed since the last one.
func (m *Model) View() tea.View {
	if m.dirty {
		m.frame = m.render()
		m.frames++
		m.dirty = false
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "logitlab"
	return v
}

// selectedIndex is the position of the selected run in rows, or -1.
func (m *Model) selectedIndex() int {
	for i, r := range m.rows {
		if r.ID == m.selected {
			return i
		}
	}
	return -1
}

// selectedInfo returns the selected run's summary.
func (m *Model) selectedInfo() (lab.RunInfo, bool) {
	if i := m.selectedIndex(); i >= 0 {
		return m.rows[i], true
	}
	return lab.RunInfo{}, false
}

// state returns (creating it if needed) the series of run id.
func (m *Model) state(id string) *runState {
	s, ok := m.states[id]
	if !ok {
		s = newRunState(m.weight)
		m.states[id] = s
	}
	return s
}
