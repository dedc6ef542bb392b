package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// script is a fake experiment: it emits a fixed list of events, then fails, finishes, or answers
// commands (through a steerable that applies any lr it is asked for) until it is stopped.
type script struct {
	name    string
	events  []lab.Body
	fail    string         // non-empty: return this error after the events
	results map[string]any // non-nil: finish with these results
}

func (s script) Name() string    { return s.name }
func (s script) Summary() string { return "test script " + s.name }

func (s script) Run(ctx context.Context, env *lab.Env) error {
	var step int64
	for _, b := range s.events {
		env.Emit(b)
		if sm, ok := b.(lab.StepMetrics); ok {
			step = sm.Step
		}
	}
	switch {
	case s.fail != "":
		return errors.New(s.fail)
	case s.results != nil:
		return env.SetResults(s.results)
	}
	st := steer{}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if err := env.Between(ctx, step, st); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// steer applies any lr in (0, 1e6].
type steer struct{}

func (steer) Apply(name string, v float64) (float64, error) {
	if name != "lr" || !(v > 0 && v <= 1e6) {
		return 0, fmt.Errorf("cannot set %s to %g", name, v)
	}
	return v, nil
}

func (steer) Snapshot() (*checkpoint.Snapshot, error) {
	return nil, errors.New("the test script keeps no state")
}

// lossAt is a deterministic, noisy, decaying loss curve.
func lossAt(step int) float64 {
	return 2.3*math.Exp(-float64(step)/70) + 0.12 + 0.06*math.Sin(float64(step)*1.7)
}

// runningScript logs 300 of 2000 steps with an evaluation every 100 and then waits for commands.
// It emits 308 events (the lab adds Started: 309).
func runningScript() script {
	ev := []lab.Body{
		lab.Message{Level: "info", Text: "data: embedded MNIST subset (10,000 train / 2,000 test)"},
		lab.Progress{Step: 0, TotalSteps: 2000, Elapsed: 0},
	}
	accs := []float64{0.8125, 0.8830, 0.9105}
	for step := 1; step <= 300; step++ {
		epoch := 1 + (step-1)/100
		ev = append(ev, lab.StepMetrics{Step: int64(step), Epoch: epoch, Loss: lossAt(step), LR: 0.01, SamplesPerSec: 1234.5})
		if step%100 == 0 {
			ev = append(ev,
				lab.EpochSummary{Step: int64(step), Epoch: epoch, TrainLoss: lossAt(step), TestLoss: lossAt(step) + 0.05, TestAcc: accs[step/100-1]},
				lab.Progress{Step: int64(step), TotalSteps: 2000, Elapsed: float64(step) * 0.05})
		}
	}
	return script{name: "train", events: ev}
}

const runningEvents = 309

// failingScript diverges: a NaN loss at step 57, then the error the train experiment returns.
func failingScript() script {
	var ev []lab.Body
	for step := 1; step <= 57; step++ {
		loss := lossAt(step)
		if step == 57 {
			loss = math.NaN()
		}
		ev = append(ev, lab.StepMetrics{Step: int64(step), Epoch: 1, Loss: loss, LR: 8, SamplesPerSec: 990})
	}
	return script{name: "wild", events: ev, fail: "diverged at step 57 (learning rate 8): loss is NaN"}
}

// finishedScript completes 20 steps with one evaluation.
func finishedScript() script {
	var ev []lab.Body
	for step := 1; step <= 20; step++ {
		ev = append(ev, lab.StepMetrics{Step: int64(step), Epoch: 1, Loss: lossAt(step), LR: 0.05, SamplesPerSec: 2000})
	}
	ev = append(ev, lab.EpochSummary{Step: 20, Epoch: 1, TestAcc: 0.5}, lab.Progress{Step: 20, TotalSteps: 20, Elapsed: 1})
	return script{name: "short", events: ev, results: map[string]any{"test_acc": 0.5}}
}

// fixture is a lab with three runs: mnist-c (finished), mnist-b (failed), mnist-a (running, newest).
type fixture struct {
	lab  *lab.Lab
	runA *lab.Run
	ctx  context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	l, err := lab.New(lab.Params{
		RunsDir:     t.TempDir(),
		Experiments: []lab.Experiment{runningScript(), failingScript(), finishedScript()},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); l.Wait() })
	start := func(exp, id string) *lab.Run {
		r, err := l.Start(ctx, lab.Spec{Experiment: exp, ID: id, Config: testConfig()})
		if err != nil {
			t.Fatalf("start %s: %v", id, err)
		}
		return r
	}
	<-start("short", "mnist-c").Done()
	<-start("wild", "mnist-b").Done()
	a := start("train", "mnist-a")
	waitFor(t, func() bool { return a.Len() >= runningEvents }, "run mnist-a to log its events")
	return &fixture{lab: l, runA: a, ctx: ctx}
}

// testConfig is a configuration the lab accepts.
func testConfig() config.Config { return config.Default() }

// waitFor polls cond until it holds; the 20 s limit only catches a hang, it is not a timing check.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// model builds a model over f's lab at the given size and pulls once.
func (f *fixture) model(t *testing.T, p Params, w, h int) *Model {
	t.Helper()
	p.Lab = f.lab
	ctx, cancel := context.WithCancel(f.ctx)
	t.Cleanup(cancel)
	m := newModel(ctx, p)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(labChangedMsg{})
	return m
}

// press sends one key press.
func press(m *Model, k string) tea.Cmd {
	var msg tea.KeyPressMsg
	switch k {
	case "up":
		msg = tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+c":
		msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		msg = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "backspace":
		msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "left":
		msg = tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		msg = tea.KeyPressMsg{Code: tea.KeyRight}
	case "home":
		msg = tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		msg = tea.KeyPressMsg{Code: tea.KeyEnd}
	default:
		r := []rune(k)[0]
		msg = tea.KeyPressMsg{Code: r, Text: k}
	}
	_, cmd := m.Update(msg)
	return cmd
}

// typeText presses one key per character of text.
func typeText(m *Model, text string) {
	for _, r := range text {
		press(m, string(r))
	}
}

// plain is the model's current frame without styling.
func plain(m *Model) string { return ansi.Strip(m.View().Content) }

// checkGolden compares got with testdata/<name>.golden, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run `go test ./tui -run %s -update` to create it): %v", t.Name(), err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s differs from the golden file first at line %d:\n got: %q\nwant: %q\n(run with -update if the change is intended)", name, i+1, g, w)
				return
			}
		}
	}
}
