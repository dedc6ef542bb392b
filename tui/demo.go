package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// Demo roles: the runs a tour starts and shows.
const (
	DemoLogits  = "logits"  // a standard and a robust model side by side
	DemoDistill = "distill" // students of the logits run's teachers
)

// DemoScene is one step of a tour: a caption and what to show under it.
type DemoScene struct {
	Caption string
	Role    string // DemoLogits or DemoDistill: the run to select
	Pane    string // the pane key to focus ("loss", "hist:max_logit", "bars:…"); "" keeps the focus
	Zoom    bool
	// Min is how long the scene shows at least; Max how long the tour waits for its pane to appear
	// (or its run to start) before it goes on without it.
	Min, Max time.Duration
}

// DemoParams configures RunDemo.
type DemoParams struct {
	Params // the TUI's; Start is required
	// Logits and Distill are the settings of the two runs. Distill's teacher_run is set to the
	// logits run's directory when that run has finished.
	Logits, Distill config.Config
	Scenes          []DemoScene // nil: DefaultTour()
}

// DefaultTour is the two-minute tour of paper 1: two models training side by side, their logit
// histograms pulling apart, robust accuracy, the samples they disagree on, then the distillation
// bar chart filling in.
func DefaultTour() []DemoScene {
	return []DemoScene{
		{Caption: "A standard MLP and an adversarially trained one (PGD, eps 0.1) learn MNIST side by side, from one initialization and data order. Any key pauses the tour.",
			Role: DemoLogits, Pane: "loss", Min: 12 * time.Second, Max: 20 * time.Second},
		{Caption: "The max logit M of every test digit, as training goes: adversarial training keeps it small.",
			Role: DemoLogits, Pane: "hist:max_logit", Zoom: true, Min: 16 * time.Second, Max: 30 * time.Second},
		{Caption: "The gap G between the top two logits: the robust model is much less sure of itself, even on clean digits.",
			Role: DemoLogits, Pane: "hist:logit_gap", Zoom: true, Min: 14 * time.Second, Max: 20 * time.Second},
		{Caption: "Attacked with PGD (restarts, masking checks beside it), the standard model collapses; the robust one holds.",
			Role: DemoLogits, Pane: "points:robust accuracy vs eps", Zoom: true, Min: 14 * time.Second, Max: 60 * time.Second},
		{Caption: "The digits the two models disagree on most: one is sure, the other is not.",
			Role: DemoLogits, Pane: "images:confidence disagreement", Zoom: true, Min: 14 * time.Second, Max: 30 * time.Second},
		{Caption: "Five students trained on clean digits only: from labels, from the standard teacher, from the robust one, and from the robust one with its non-max logits shuffled or its confidence swapped. Robust bars fill in as each is attacked.",
			Role: DemoDistill, Pane: "bars:distillation: clean and robust accuracy", Zoom: true, Min: 26 * time.Second, Max: 60 * time.Second},
		{Caption: "Over 3 seeds (docs/distill.md) the robust teacher's student keeps 0.16 under PGD-40 against 0.04 from labels; shuffling the non-max logits loses 40% of that, swapping confidence all of it.",
			Role: DemoDistill, Pane: "table:distillation students", Zoom: true, Min: 20 * time.Second, Max: 60 * time.Second},
		{Caption: "That was the tour. Keys work as usual now: tab and z panes, ↑/↓ runs, n launcher, ? help, q quit.",
			Role: DemoDistill, Pane: "bars:distillation: clean and robust accuracy", Zoom: false},
	}
}

// demoModel wraps the run view with a caption line and drives it through the scenes.
type demoModel struct {
	ctx     context.Context
	inner   *Model
	p       DemoParams
	scenes  []DemoScene
	scene   int
	since   time.Time // when the scene started
	paused  bool
	focused bool                // the scene's pane was there when shown (else show again when it appears)
	runs    map[string]*lab.Run // by role
	started map[string]bool
	err     string // a failed start, shown in the caption
	w, h    int
	now     func() time.Time
}

// demoTickMsg advances the tour.
type demoTickMsg struct{}

// demoStartedMsg reports a run the tour started.
type demoStartedMsg struct {
	role string
	run  *lab.Run
	err  error
}

const demoTick = 250 * time.Millisecond

// captionLines is the height of the caption area under the run view.
const captionLines = 2

func newDemo(ctx context.Context, p DemoParams) *demoModel {
	scenes := p.Scenes
	if scenes == nil {
		scenes = DefaultTour()
	}
	inner := newModel(ctx, p.Params)
	inner.launching = false // the tour starts its own runs
	return &demoModel{ctx: ctx, inner: inner, p: p, scenes: scenes, runs: map[string]*lab.Run{},
		started: map[string]bool{}, w: defaultWidth, h: defaultHeight, now: time.Now}
}

// RunDemo runs the scripted tour on the terminal until the user quits or ctx ends.
func RunDemo(ctx context.Context, p DemoParams, opts ...tea.ProgramOption) error {
	if p.Start == nil {
		return errors.New("tui: the demo needs Params.Start to start its runs")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newDemo(ctx, p)
	defer m.inner.sub.Close()
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	if _, err := tea.NewProgram(m, opts...).Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

func (d *demoModel) Init() tea.Cmd {
	d.since = d.now()
	return tea.Batch(d.inner.Init(), d.start(DemoLogits, d.p.Logits), d.tick())
}

func (d *demoModel) tick() tea.Cmd {
	return tea.Tick(demoTick, func(time.Time) tea.Msg { return demoTickMsg{} })
}

// start starts the run of a role in the background.
func (d *demoModel) start(role string, cfg config.Config) tea.Cmd {
	d.started[role] = true
	ctx, start := d.ctx, d.p.Start
	return func() tea.Msg {
		r, err := start(ctx, role, cfg)
		return demoStartedMsg{role: role, run: r, err: err}
	}
}

func (d *demoModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		d.w, d.h = msg.Width, msg.Height
		_, cmd := d.inner.Update(tea.WindowSizeMsg{Width: msg.Width, Height: max(msg.Height-captionLines, 1)})
		return d, cmd
	case demoStartedMsg:
		if msg.err != nil {
			d.err = fmt.Sprintf("could not start the %s run: %v", msg.role, msg.err)
			return d, nil
		}
		d.runs[msg.role] = msg.run
		d.show()
		return d, nil
	case demoTickMsg:
		return d, tea.Batch(d.advance(), d.tick())
	case tea.KeyPressMsg:
		return d, d.onKey(msg)
	}
	_, cmd := d.inner.Update(msg)
	return d, cmd
}

// onKey: q quits; while the tour plays any other key pauses it (and the runs); while paused, space
// resumes and every other key goes to the run view.
func (d *demoModel) onKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" || (k.String() == "q" && !d.inner.launching && d.inner.steer == nil) {
		return tea.Quit
	}
	if d.tourOver() {
		return d.forward(k)
	}
	if !d.paused {
		d.paused = true
		d.sendAll(lab.Pause(d.inner.user + " (demo)"))
		d.inner.dirty = true
		return nil
	}
	if k.String() == "space" {
		d.paused = false
		d.since = d.now()
		d.sendAll(lab.Resume(d.inner.user + " (demo)"))
		d.show()
		return nil
	}
	return d.forward(k)
}

func (d *demoModel) forward(k tea.KeyPressMsg) tea.Cmd {
	_, cmd := d.inner.Update(k)
	return cmd
}

// sendAll sends c to the tour's runs that are still going.
func (d *demoModel) sendAll(c lab.Command) {
	for _, r := range d.runs {
		if !r.Info().Status.Final() {
			_ = r.Send(c)
		}
	}
}

func (d *demoModel) tourOver() bool { return d.scene >= len(d.scenes)-1 }

// advance starts the distill run once the logits run has finished, and moves to the next scene
// when this one has shown long enough and the next one's pane is there (or waited too long).
func (d *demoModel) advance() tea.Cmd {
	var cmd tea.Cmd
	if lr := d.runs[DemoLogits]; lr != nil && !d.started[DemoDistill] && lr.Info().Status == lab.StatusFinished {
		cfg := d.p.Distill
		cfg.Distill.TeacherRun = lr.Dir()
		cmd = d.start(DemoDistill, cfg)
	}
	if d.paused || d.tourOver() {
		return cmd
	}
	elapsed := d.now().Sub(d.since)
	cur := d.scenes[d.scene]
	if !d.focused && d.ready(cur) {
		d.show() // the scene's pane appeared after the scene began
	}
	next := d.scenes[d.scene+1]
	if elapsed >= cur.Min && (d.ready(next) || elapsed >= cur.Min+next.Max) {
		d.scene++
		d.since = d.now()
		d.show()
	}
	return cmd
}

// ready reports whether a scene's run exists and has its pane.
func (d *demoModel) ready(s DemoScene) bool {
	r := d.runs[s.Role]
	if r == nil {
		return false
	}
	if s.Pane == "" {
		return true
	}
	st := d.inner.state(r.ID())
	st.pull(r) // incremental: the run may not be the selected one yet
	return slices.ContainsFunc(panes(st), func(p pane) bool { return p.key == s.Pane })
}

// show puts the run view in the current scene's state.
func (d *demoModel) show() {
	s := d.scenes[d.scene]
	if r := d.runs[s.Role]; r != nil && d.inner.selected != r.ID() {
		d.inner.selected = r.ID()
		d.inner.pullSelected()
	}
	d.focused = s.Pane == "" || d.ready(s)
	if s.Pane != "" && d.focused {
		d.inner.focus = s.Pane
		d.inner.zoom = s.Zoom
	} else {
		d.inner.zoom = false
	}
	d.inner.dirty = true
}

func (d *demoModel) View() tea.View {
	v := d.inner.View()
	v.Content += "\n" + d.caption()
	return v
}

// caption is the tour's text under the run view: the scene's caption (wrapped to two lines) and,
// when paused, how to go on.
func (d *demoModel) caption() string {
	text := d.scenes[d.scene].Caption
	prefix := fmt.Sprintf("tour %d/%d · ", d.scene+1, len(d.scenes))
	switch {
	case d.err != "":
		text = d.err
	case d.paused:
		prefix = "tour paused · space continues, q quits, other keys work as usual · "
	}
	lines := wrapWords(prefix+text, d.w)
	for len(lines) < captionLines {
		lines = append(lines, "")
	}
	lines = lines[:captionLines]
	st := d.inner.st.selected // reverse video; plain in the ascii theme
	for i, l := range lines {
		lines[i] = st.Render(pad(truncate(l, d.w), d.w))
	}
	out := strings.Join(lines, "\n")
	if d.inner.theme == ThemeASCII {
		out = asciify(out)
	}
	return out
}

// wrapWords breaks text into lines of at most width cells at spaces.
func wrapWords(text string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		switch {
		case cur == "":
			cur = w
		case lipgloss.Width(cur+" "+w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
