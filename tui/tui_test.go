package tui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

const header = "blas: openblas (SkylakeX)"

func noStart(context.Context, string, config.Config) (*lab.Run, error) {
	return nil, fmt.Errorf("not in tests")
}

func TestViewGolden(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"running_80x24", 80, 24, nil},
		{"running_120x40", 120, 40, nil},
		{"running_200x60", 200, 60, nil},
		{"raw_logy_120x40", 120, 40, []string{"s", "l"}},
		{"failed_80x24", 80, 24, []string{"down"}},
		{"finished_120x40", 120, 40, []string{"down", "down"}},
		{"help_80x24", 80, 24, []string{"?"}},
		{"confirm_stop_80x24", 80, 24, []string{"x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := f.model(t, Params{Header: header, Start: noStart}, tc.w, tc.h)
			for _, k := range tc.keys {
				press(m, k)
			}
			got := plain(m)
			checkSize(t, got, tc.w, tc.h)
			checkGolden(t, "view_"+tc.name, got)
		})
	}
}

// checkSize fails unless frame has exactly h lines of exactly w cells.
func checkSize(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i+1, got, w, l)
		}
	}
}

func TestLayoutFitsEverySize(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{Header: header}, 80, 24)
	for _, sz := range [][2]int{{80, 24}, {81, 25}, {99, 30}, {137, 43}, {160, 50}, {200, 60}, {60, 16}} {
		for _, keys := range [][]string{nil, {"?"}, {"down"}} {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			for _, k := range keys {
				press(m, k)
			}
			checkSize(t, plain(m), sz[0], sz[1])
			m.showHelp, m.selected = false, "mnist-a"
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	if got := plain(m); !strings.Contains(got, "terminal too small") {
		t.Errorf("40×10 frame does not say the terminal is too small:\n%s", got)
	}
}

// TestNonFiniteFinishesQuickly pushes NaN, ±Inf and ±1e300 through every path into every chart
// (events into the series, and raw points straight into the chart wrapper) at several sizes, linear
// and log. ntcharts hangs on such values, so the test fails if rendering has not returned in 1 s.
func TestNonFiniteFinishesQuickly(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300}
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: []lab.Experiment{script{name: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		var b strings.Builder
		sizes := [][2]int{{80, 24}, {120, 40}, {200, 60}, {100, 30}}
		for i, only := range []bool{false, false, true, true} { // mixed with good values, or alone
			logY := i%2 == 1
			sz := sizes[i]
			m := newModel(context.Background(), Params{Lab: l})
			m.rows = []lab.RunInfo{{ID: "bad", Status: lab.StatusRunning, Step: 40, TotalSteps: 100,
				Settings: map[string]float64{"lr": math.NaN()}}}
			m.selected = "bad"
			s := m.state("bad")
			step := int64(0)
			for round := 0; round < 4; round++ {
				for _, v := range bad {
					if !only {
						step++
						s.apply(lab.StepMetrics{Step: step, Loss: lossAt(int(step)), SamplesPerSec: v})
						s.apply(lab.EpochSummary{Step: step, TestAcc: 0.5})
					}
					step++
					s.apply(lab.StepMetrics{Step: step, Loss: v, LR: v, SamplesPerSec: v})
					s.apply(lab.EpochSummary{Step: step, TestAcc: v, TestLoss: v})
					s.apply(lab.Progress{Step: step, TotalSteps: 100, Elapsed: v})
				}
			}
			m.logY = logY
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			frame := strings.Split(ansi.Strip(m.View().Content), "\n")
			b.WriteString(strings.Join(frame[:len(frame)-statusLines], "\n")) // the status line may say NaN
			// The chart wrapper on its own, given the raw values.
			xs := []float64{1, 2, 3, 4, 5, 6, 7}
			ys := append([]float64{0.5, 1}, bad...)
			c := chart{width: sz[0] / 2, height: sz[1] / 2, logY: logY,
				lines: []line{{xs: xs, ys: ys, style: m.st.acc}, {xs: ys, ys: xs, style: m.st.acc}, {xs: bad, ys: bad, style: m.st.acc}}}
			b.WriteString(c.render())
		}
		done <- b.String()
	}()
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	select {
	case out := <-done:
		for _, bad := range []string{"NaN", "Inf", "e+300", "e-300"} {
			if strings.Contains(ansi.Strip(out), bad) {
				t.Errorf("a chart shows %q: a non-finite or unclamped value reached it", bad)
			}
		}
		if !strings.Contains(out, "1e+30") {
			t.Error("no chart shows the clamp bound 1e+30 on its axis")
		}
	case <-timer.C:
		t.Fatal("rendering NaN/Inf/1e300 values did not finish within 1 s (ntcharts hang?)")
	}
}

func TestLRKeysSendScaledSetAndShowAppliedValue(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{User: "ssh:alice"}, 120, 40)
	for _, tc := range []struct {
		key  string
		want float64 // from the applied lr 0.01 (StepMetrics), then the value before
	}{
		{"+", 0.02},
		{"=", 0.04},
		{"-", 0.02},
	} {
		press(m, tc.key)
		if !strings.Contains(m.notice.text, "asked for lr "+fmtNum(tc.want)) {
			t.Fatalf("after %q the notice is %q, want it to say it asked for lr %g", tc.key, m.notice.text, tc.want)
		}
		waitFor(t, func() bool { return f.runA.Info().Settings["lr"] == tc.want }, fmt.Sprintf("the run to apply lr %g", tc.want))
		m.Update(labChangedMsg{})
		if got := plain(m); !strings.Contains(got, "lr is now "+fmtNum(tc.want)) || !strings.Contains(got, "lr "+fmtNum(tc.want)) {
			t.Fatalf("after %q the view does not show the applied lr %g:\n%s", tc.key, tc.want, got)
		}
	}
	evs, _ := f.runA.Since(0)
	var by []string
	for _, e := range evs {
		if s, ok := e.Body.(lab.SettingApplied); ok {
			by = append(by, fmt.Sprintf("%s=%g by %s", s.Name, s.Value, s.By))
		}
	}
	if want := "lr=0.02 by ssh:alice,lr=0.04 by ssh:alice,lr=0.02 by ssh:alice"; strings.Join(by, ",") != want {
		t.Errorf("settings applied: %v, want %s", by, want)
	}
}

func TestReadOnlyRefusesCommands(t *testing.T) {
	f := newFixture(t)
	ro := f.model(t, Params{ReadOnly: true, Start: noStart}, 80, 24)
	for _, tc := range []struct{ key, action string }{
		{"+", "lr change"}, {"-", "lr change"}, {"p", "pause"}, {"x", "stop"}, {"n", "new run"},
	} {
		if cmd := press(ro, tc.key); cmd != nil {
			t.Errorf("read-only %q returned a command", tc.key)
		}
		want := "read-only session: " + tc.action + " refused"
		if got := plain(ro); !strings.Contains(got, want) {
			t.Errorf("after %q the view lacks %q:\n%s", tc.key, want, got)
		}
	}
	// Barrier: a controlling session pauses the run. Commands are applied in order, so once the pause
	// shows, any lr change the viewer had sent would show too.
	rw := f.model(t, Params{}, 80, 24)
	press(rw, "p")
	waitFor(t, func() bool { return f.runA.Info().Status == lab.StatusPaused }, "the run to pause")
	evs, _ := f.runA.Since(runningEvents)
	for _, e := range evs {
		switch e.Body.(type) {
		case lab.SettingApplied, lab.Stopped:
			t.Errorf("a read-only session changed the run: %#v", e.Body)
		}
	}
}

func TestStopAsksFirst(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{}, 80, 24)
	press(m, "x")
	if !strings.Contains(plain(m), "stop run mnist-a?") {
		t.Fatalf("x did not ask for confirmation:\n%s", plain(m))
	}
	press(m, "n")
	if m.confirm != "" || !strings.Contains(plain(m), "stop cancelled") {
		t.Fatalf("n did not cancel:\n%s", plain(m))
	}
	press(m, "x")
	press(m, "y")
	<-f.runA.Done()
	if st := f.runA.Info().Status; st != lab.StatusStopped {
		t.Fatalf("after x y the run is %s, want stopped", st)
	}
	m.Update(labChangedMsg{})
	if got := plain(m); !strings.Contains(got, "stopped at step 300: stopped by tui") {
		t.Errorf("the view does not show why the run stopped:\n%s", got)
	}
}

func TestNoFrameWhenNothingChanged(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{}, 80, 24)
	m.View()
	frames := m.frames
	for i := 0; i < 3; i++ {
		_, cmd := m.Update(labChangedMsg{})
		if cmd == nil {
			t.Fatal("labChangedMsg did not re-arm the doorbell wait")
		}
		if m.dirty {
			t.Fatal("a pull with nothing new marked the frame dirty")
		}
		m.View()
	}
	if m.frames != frames {
		t.Errorf("idle pulls rendered %d frames, want 0", m.frames-frames)
	}
	// Something new: exactly one more frame however often View is called.
	press(m, "p")
	waitFor(t, func() bool { return f.runA.Info().Status == lab.StatusPaused }, "the run to pause")
	m.Update(labChangedMsg{})
	m.View()
	m.View()
	if m.frames != frames+1 {
		t.Errorf("one change rendered %d frames, want 1", m.frames-frames)
	}
	// The same in compare mode, over three marked runs (compare.go pulls the ones not selected).
	for _, k := range []string{"space", "down", "space", "down", "space", "v"} {
		press(m, k)
	}
	m.View()
	frames = m.frames
	for i := 0; i < 3; i++ {
		if _, cmd := m.Update(labChangedMsg{}); cmd == nil {
			t.Fatal("labChangedMsg did not re-arm the doorbell wait in compare mode")
		}
		if m.dirty {
			t.Fatal("a pull with nothing new marked the compare frame dirty")
		}
		m.View()
	}
	if m.frames != frames || len(m.cmp.ids) != 3 {
		t.Errorf("idle pulls in compare mode over %d runs rendered %d frames, want 3 runs and 0 frames", len(m.cmp.ids), m.frames-frames)
	}
	m.selected = "mnist-a"
	press(m, "p") // resume: the run logs a status change
	waitFor(t, func() bool { return f.runA.Info().Status == lab.StatusRunning }, "the run to resume")
	m.Update(labChangedMsg{})
	m.View()
	m.View()
	if m.frames != frames+1 {
		t.Errorf("one change in compare mode rendered %d frames, want 1", m.frames-frames)
	}
}

func TestWaitLabEndsWithSession(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	m := newModel(ctx, Params{Lab: f.lab})
	subs := f.lab.Subscribers()
	cancel()
	// The doorbell was rung at subscription, but the wait must still end with no message.
	if msg := waitLab(ctx, make(chan struct{}), time.Time{})(); msg != nil {
		t.Errorf("waitLab after cancel returned %T, want nil", msg)
	}
	if msg := startRun(ctx, noStart, "train", config.Default())(); msg != nil {
		t.Errorf("startRun after cancel returned %T, want nil", msg)
	}
	waitFor(t, func() bool { return f.lab.Subscribers() == subs-1 }, "the subscription to close with the session")
	_ = m
}

func TestQuitClosesSubscription(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{}, 80, 24)
	subs := f.lab.Subscribers()
	cmd := press(m, "q")
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("q did not quit")
	}
	if f.lab.Subscribers() != subs-1 {
		t.Error("quitting did not close the subscription")
	}
}

func TestNewRunSelectsIt(t *testing.T) {
	f := newFixture(t)
	var gotExp string
	start := func(ctx context.Context, exp string, cfg config.Config) (*lab.Run, error) {
		gotExp = exp
		return f.lab.Start(f.ctx, lab.Spec{Experiment: "short", ID: "mnist-d", Config: cfg})
	}
	m := f.model(t, Params{Start: start}, 80, 24)
	press(m, "n")
	if !m.launching {
		t.Fatalf("n did not open the launcher:\n%s", plain(m))
	}
	press(m, "enter") // experiment list → form, focused on "start"
	cmd := press(m, "enter")
	if cmd == nil {
		t.Fatal("enter on start returned no command")
	}
	m.Update(cmd())
	if gotExp != "train" || m.selected != "mnist-d" || m.launching {
		t.Fatalf("after start: experiment %q, selected %q, launcher open %v; want train, mnist-d, closed", gotExp, m.selected, m.launching)
	}
	if got := plain(m); !strings.Contains(got, "started mnist-d") {
		t.Errorf("no notice of the new run:\n%s", got)
	}
	// Without Start the key does nothing and is not in the help.
	m2 := f.model(t, Params{}, 80, 24)
	if press(m2, "n") != nil || m2.launching {
		t.Error("n without Start opened the launcher")
	}
	press(m2, "?")
	if strings.Contains(plain(m2), "new run") {
		t.Error("help lists `n` although Start is nil")
	}
}
