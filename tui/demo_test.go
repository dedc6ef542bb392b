package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

// TestDemoTour drives the tour with a fake clock over a lab whose both roles run labtest.Panes: the
// first scene selects the logits run, the next one waits for its histogram pane and zooms it, the
// distill run starts once the logits run has finished and its scene selects it; a key pauses the
// tour and the runs, space resumes, q quits.
func TestDemoTour(t *testing.T) {
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: []lab.Experiment{labtest.Panes{}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); l.Wait() })
	var started []string
	start := func(ctx context.Context, role string, cfg config.Config) (*lab.Run, error) {
		started = append(started, role)
		return l.Start(ctx, lab.Spec{Experiment: "panes", Config: cfg})
	}
	scenes := []DemoScene{
		{Caption: "first", Role: DemoLogits, Pane: "loss", Min: time.Second, Max: time.Second},
		{Caption: "histograms", Role: DemoLogits, Pane: "hist:max_logit", Zoom: true, Min: time.Second, Max: 10 * time.Second},
		{Caption: "students", Role: DemoDistill, Pane: "table:robustness", Zoom: true, Min: time.Second, Max: 10 * time.Second},
		{Caption: "the end", Role: DemoDistill},
	}
	clock := time.Unix(0, 0)
	d := newDemo(ctx, DemoParams{Params: Params{Lab: l, Start: start}, Logits: config.Default(), Distill: config.Default(), Scenes: scenes})
	d.now = func() time.Time { return clock }
	d.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.since = clock
	d.Update(d.start(DemoLogits, config.Default())())
	lr := d.runs[DemoLogits]
	if lr == nil {
		t.Fatalf("the logits run did not start (%q)", d.err)
	}
	<-lr.Done()
	d.inner.pull()
	d.inner.pullSelected()
	if d.inner.selected != lr.ID() {
		t.Fatalf("selected %q, want the logits run %s", d.inner.selected, lr.ID())
	}
	if d.scene != 0 || !strings.Contains(ansi.Strip(d.View().Content), "tour 1/4 · first") {
		t.Fatalf("scene %d, caption:\n%s", d.scene, ansi.Strip(d.View().Content))
	}

	clock = clock.Add(2 * time.Second)
	startDistill := d.advance()
	if d.scene != 1 || d.inner.focus != "hist:max_logit" || !d.inner.zoom {
		t.Fatalf("after 2 s: scene %d, focus %q, zoom %v", d.scene, d.inner.focus, d.inner.zoom)
	}
	if startDistill == nil {
		t.Fatal("the distill run was not started after the logits run finished")
	}
	d.Update(startDistill())
	dr := d.runs[DemoDistill]
	if dr == nil {
		t.Fatalf("the distill run did not start (%q)", d.err)
	}
	<-dr.Done()
	d.inner.pull()

	// A key pauses the tour: the clock runs on, the scene stays.
	d.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if !d.paused || !strings.Contains(ansi.Strip(d.View().Content), "tour paused") {
		t.Fatalf("not paused after a key:\n%s", ansi.Strip(d.View().Content))
	}
	clock = clock.Add(time.Minute)
	d.advance()
	if d.scene != 1 {
		t.Fatalf("the paused tour moved to scene %d", d.scene)
	}
	d.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	if d.paused {
		t.Fatal("space did not resume the tour")
	}
	clock = clock.Add(2 * time.Second)
	d.advance()
	if d.scene != 2 || d.inner.selected != dr.ID() || d.inner.focus != "table:robustness" {
		t.Fatalf("scene %d, selected %q (distill %s), focus %q", d.scene, d.inner.selected, dr.ID(), d.inner.focus)
	}
	if strings.Join(started, ",") != "logits,distill" {
		t.Errorf("started %v", started)
	}
	_, cmd := d.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd == nil {
		t.Fatal("q did nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("q did not quit")
	}
}

// TestDemoCaptionWraps: the caption takes exactly captionLines lines of the terminal width.
func TestDemoCaptionWraps(t *testing.T) {
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: []lab.Experiment{labtest.Panes{}}})
	if err != nil {
		t.Fatal(err)
	}
	d := newDemo(context.Background(), DemoParams{Params: Params{Lab: l, Theme: ThemeASCII}})
	for _, w := range []int{80, 120, 200} {
		d.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		c := d.caption()
		lines := strings.Split(c, "\n")
		if len(lines) != captionLines {
			t.Fatalf("width %d: %d caption lines", w, len(lines))
		}
		for _, ln := range lines {
			if n := len([]rune(ansi.Strip(ln))); n != w {
				t.Errorf("width %d: caption line of %d cells: %q", w, n, ln)
			}
		}
		if strings.ContainsFunc(c, func(r rune) bool { return r > 127 }) {
			t.Errorf("ascii theme caption has non-ASCII: %q", c)
		}
	}
}
