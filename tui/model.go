package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// Params configures a Model. Zero-valued optional fields take defaults.
type Params struct {
	Lab *lab.Lab // required
	// User names who sends commands ("tui", later "ssh:alice"); "" means "tui".
	User string
	// ReadOnly makes a viewer: command keys (pause, stop, lr, steering, new run) are refused with a
	// message.
	ReadOnly bool
	// FPS caps frames per second; 0 means 10. Values are clamped to [1, 60].
	FPS int
	// Smoothing is the EMA weight of the past in [0, 1); 0 means 0.6, values ≥ 1 are clamped to 0.99.
	Smoothing float64
	// Header is shown at the right of the status line, e.g. "blas: openblas (SkylakeX)".
	Header string
	// Experiments are what the launcher offers, in order, and say which config sections each one's
	// settings (and live settings) come from. nil means the lab's experiments, each with the config
	// section of its own name when there is one.
	Experiments []Experiment
	// Config is what the launcher's form starts from (the config file and flags); the zero Config
	// means config.Default().
	Config config.Config
	// Start starts a run of experiment with cfg, from the launcher (key n, then enter on "start"); nil
	// disables the launcher. It gets the session's context: an implementation whose runs must outlive
	// the session starts them under its own context and uses this one only to bound the start itself.
	Start func(ctx context.Context, experiment string, cfg config.Config) (*lab.Run, error)
	// Theme is ThemeDark (also ""), ThemeLight or ThemeASCII. NoColor (the user set NO_COLOR) forces
	// ThemeASCII.
	Theme   string
	NoColor bool
	// Keys remaps keys: the tui.keys setting (see CheckKeys). An invalid value leaves the default keys
	// and the model says why in its notice line.
	Keys string
}

// Experiment is one experiment the launcher offers.
type Experiment struct {
	Name     string
	Summary  string   // one line
	Sections []string // config sections of its settings form; their live settings can be steered
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
	start    func(context.Context, string, config.Config) (*lab.Run, error)
	exps     []Experiment
	base     config.Config  // the launcher's starting settings
	theme    string         // resolved: ThemeDark, ThemeLight or ThemeASCII
	tz       *time.Location // for the times in the change log

	keys keyMap
	help help.Model
	st   styles

	width, height int
	rows          []lab.RunInfo // newest first, as of the last pull
	handles       map[string]*lab.Run
	selected      string // run id; "" when there are no runs
	states        map[string]*runState

	launching bool                    // the launcher is shown instead of the run view
	launch    *launcher               // the launcher's state, kept between openings; nil until first opened
	steer     *steerPanel             // the steering panel over the run view; nil when closed
	pending   map[string][]pendingSet // per run: settings this user asked for, not yet answered

	focus    string // key of the focused pane (see panes); "" is the first
	zoom     bool   // the focused pane fills the area above the status lines
	ascii    bool   // no colour (ascii theme or terminal): galleries use a character ramp
	asciiTTY bool   // the terminal reports an Ascii or NoTTY colour profile
	smooth   bool   // draw the EMA over the faint raw loss
	logY     bool
	showHelp bool
	confirm  string // id of the run whose stop awaits y/n; "" when none
	notice   note   // feedback to this user's last key; cleared by the next key

	cmp compare // compare mode, marks, pin and the run filter (compare.go, filter.go)

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
	base := p.Config
	if base == (config.Config{}) {
		base = config.Default()
	}
	theme := themeName(p.Theme, p.NoColor)
	keys, keysErr := newKeyMap(p.Start != nil, p.Keys)
	m := &Model{
		ctx:      ctx,
		lab:      p.Lab,
		sub:      p.Lab.Subscribe(),
		user:     user,
		readOnly: p.ReadOnly,
		frameGap: time.Second / time.Duration(fps),
		weight:   w,
		header:   p.Header,
		start:    p.Start,
		exps:     experimentsOf(p),
		base:     base,
		theme:    theme,
		tz:       time.Local,
		keys:     keys,
		help:     help.New(),
		st:       newStyles(theme),
		width:    defaultWidth,
		height:   defaultHeight,
		handles:  map[string]*lab.Run{},
		states:   map[string]*runState{},
		pending:  map[string][]pendingSet{},
		ascii:    theme == ThemeASCII,
		smooth:   true,
		dirty:    true,
	}
	m.help.Styles = m.st.help
	if keysErr != nil {
		m.notice = note{keysErr.Error() + "; using the default keys", levelError}
	}
	if m.start != nil && !m.readOnly && len(p.Lab.Runs()) == 0 {
		m.openLauncher() // nothing to watch yet: start with the launcher
	}
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
		m.asciiTTY = msg.Profile == colorprofile.ASCII || msg.Profile == colorprofile.NoTTY
		if a := m.asciiTTY || m.theme == ThemeASCII; a != m.ascii {
			m.ascii = a
			m.dirty = true
		}
		return m, nil
	case labChangedMsg:
		return m, m.onLabChanged()
	case startedMsg:
		return m, m.onStarted(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

// View returns the cached frame, rebuilding it only when something changed since the last one.
func (m *Model) View() tea.View {
	if m.dirty {
		m.frame = m.renderFrame()
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

// experimentsOf returns the experiments the launcher offers: p.Experiments, or the lab's own, each
// with the config section of its name when there is one.
func experimentsOf(p Params) []Experiment {
	if p.Experiments != nil {
		return p.Experiments
	}
	secs := map[string]bool{}
	for _, s := range config.Sections() {
		secs[s.Name] = true
	}
	var out []Experiment
	for _, e := range p.Lab.Experiments() {
		x := Experiment{Name: e.Name(), Summary: e.Summary()}
		if secs[e.Name()] {
			x.Sections = []string{e.Name()}
		}
		out = append(out, x)
	}
	return out
}

// sectionsOf returns the config sections of the named experiment.
func (m *Model) sectionsOf(experiment string) []string {
	for _, e := range m.exps {
		if e.Name == experiment {
			return e.Sections
		}
	}
	return nil
}

// renderFrame draws the screen that is showing: the launcher, or the run view with the steering
// panel or the help over it; in the ascii theme every character is then made ASCII.
func (m *Model) renderFrame() string {
	var out string
	if m.launching {
		out = m.renderLauncher()
	} else {
		out = m.render()
	}
	if m.theme == ThemeASCII {
		out = asciify(out)
	}
	return out
}
