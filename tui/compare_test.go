package tui

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// sweep is a fake "train" experiment whose curves depend on its config: the loss decays at a rate
// set by train.lr, test accuracy approaches a ceiling set by distill.alpha, and a point chart of
// robust accuracy against ε has a "pgd" and an "fgsm" series. It logs 300 steps and finishes.
type sweep struct{}

func (sweep) Name() string    { return "train" }
func (sweep) Summary() string { return "a fake training run whose curves follow its lr" }

func (sweep) Run(ctx context.Context, env *lab.Env) error {
	for _, b := range sweepEvents(env.Config().Train.LR, env.Config().Distill.Alpha, 300) {
		env.Emit(b)
	}
	return env.SetResults(map[string]any{"test_acc": 0.9})
}

// sweepEvents are the events of a sweep run with learning rate lr and ceiling alpha over steps.
func sweepEvents(lr, alpha float64, steps int) []lab.Body {
	ev := []lab.Body{lab.Progress{Step: 0, TotalSteps: int64(steps)}}
	for s := 1; s <= steps; s++ {
		x := float64(s)
		loss := 2.3*math.Exp(-x*lr*4) + 0.1 + 0.08*math.Sin(x*1.3+lr*1000)
		ev = append(ev, lab.StepMetrics{Step: int64(s), Epoch: 1 + (s-1)/100, Loss: loss, LR: lr, SamplesPerSec: 900})
		if s%50 == 0 {
			ev = append(ev, lab.EpochSummary{Step: int64(s), Epoch: 1 + (s-1)/100, TestAcc: 0.5 + 0.45*alpha*(1-math.Exp(-x*lr*3))},
				lab.Progress{Step: int64(s), TotalSteps: int64(steps), Elapsed: x * 0.01})
		}
	}
	for _, eps := range []float64{0, 0.05, 0.1, 0.2, 0.3} {
		ev = append(ev,
			lab.Point{Chart: "robust accuracy vs eps", Series: "pgd", X: eps, Y: 0.9 * math.Exp(-eps/(lr*30)), XLabel: "eps", YLabel: "accuracy"},
			lab.Point{Chart: "robust accuracy vs eps", Series: "fgsm", X: eps, Y: 0.9 * math.Exp(-eps/(lr*45))})
	}
	return ev
}

// compareFixture is a lab with four finished runs, newest first: sweep-c (lr 0.01, α 1), sweep-b
// (lr 0.003, α 0.5), sweep-a (lr 0.001, α 1), all "train", and mnist-c ("short").
func compareFixture(t *testing.T) *fixture {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: []lab.Experiment{sweep{}, finishedScript()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); l.Wait() })
	for _, r := range []struct {
		exp, id   string
		lr, alpha float64
	}{{"short", "mnist-c", 0.05, 1}, {"train", "sweep-a", 0.001, 1}, {"train", "sweep-b", 0.003, 0.5}, {"train", "sweep-c", 0.01, 1}} {
		c := config.Default()
		c.Train.LR, c.Distill.Alpha = r.lr, r.alpha
		run, err := l.Start(ctx, lab.Spec{Experiment: r.exp, ID: r.id, Config: c})
		if err != nil {
			t.Fatalf("start %s: %v", r.id, err)
		}
		<-run.Done()
		time.Sleep(time.Millisecond) // distinct start times, so the list order is fixed
	}
	return &fixture{lab: l, ctx: ctx}
}

func TestCompareGolden(t *testing.T) {
	f := compareFixture(t)
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"marks_80x24", 80, 24, []string{"space", "down", "down", "P"}},
		{"compare_80x24", 80, 24, []string{"v"}},
		{"compare_table_80x24", 80, 24, []string{"v", "tab", "tab"}},
		{"compare_filter_typing_80x24", 80, 24, []string{"v", "/", "l", "r", "=", "1", "e", "-", "3"}},
		{"compare_empty_filter_80x24", 80, 24, []string{"v", "/", "l", "r", "=", "0", ".", "5", "enter"}},
		{"compare_filtered_pinned_160x48", 160, 48, []string{"down", "down", "P", "v", "/", "d", "i", "s", "t", "i", "l", "l", ".", "a", "l", "p", "h", "a", "=", "1", "enter"}},
		{"compare_marked_logy_160x48", 160, 48, []string{"space", "down", "down", "space", "v", "l", "s"}},
		{"compare_zoom_points_160x48", 160, 48, []string{"v", "tab", "tab", "tab", "z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := f.model(t, Params{Header: header}, tc.w, tc.h)
			for _, k := range tc.keys {
				press(m, k)
			}
			got := plain(m)
			checkSize(t, got, tc.w, tc.h)
			checkGolden(t, tc.name, got)
		})
	}
}

func TestCompareChoosesRuns(t *testing.T) {
	f := compareFixture(t)
	m := f.model(t, Params{}, 120, 40)
	ids := func() string { return strings.Join(m.compareIDs(), ",") }
	press(m, "v")
	if got := ids(); got != "sweep-c,sweep-b,sweep-a" {
		t.Fatalf("with nothing marked compare shows %s, want every train run", got)
	}
	// Marks win over the experiment rule, in list order; the pinned run is drawn last.
	press(m, "down")
	press(m, "space")
	press(m, "down")
	press(m, "down")
	press(m, "m")
	press(m, "up")
	press(m, "P")
	if got := ids(); got != "sweep-b,mnist-c,sweep-a" {
		t.Fatalf("marked sweep-b and mnist-c, pinned sweep-a: compare shows %s", got)
	}
	// The pinned run stays when the filter leaves it out; marked runs the filter hides do not.
	typeText(m, "/lr=0.003")
	press(m, "enter")
	if got := ids(); got != "sweep-b,sweep-a" {
		t.Fatalf("filter lr=0.003: compare shows %s, want sweep-b and the pinned sweep-a", got)
	}
	if got := plain(m); !strings.Contains(got, "filter lr=0.003 · 1 of 4 runs") {
		t.Errorf("the filter line does not say what the filter lets through:\n%s", got)
	}
	// esc leaves compare mode, then clears the filter.
	press(m, "esc")
	if m.cmp.on || m.cmp.filter == nil {
		t.Fatalf("first esc: compare %v, filter %v; want compare closed, filter kept", m.cmp.on, m.cmp.filter)
	}
	press(m, "esc")
	if m.cmp.filter != nil {
		t.Fatal("second esc did not clear the filter")
	}
	// Unmarking everything falls back to the selected run's experiment, keeping the pinned run.
	m.cmp.marked = nil
	press(m, "v")
	m.selected = "mnist-c"
	if got := ids(); got != "mnist-c,sweep-a" {
		t.Errorf("cursor on mnist-c, sweep-a pinned: compare shows %s", got)
	}
}

func TestCompareColoursStableAndCapped(t *testing.T) {
	t.Parallel()
	m, _ := bareModel(t)
	m.rows = nil
	for i := range 12 {
		m.rows = append(m.rows, lab.RunInfo{ID: fmt.Sprintf("run-%02d", i), Experiment: "train"})
	}
	m.selected = "run-00"
	m.cmp.on = true
	m.cmp.pinned = "run-11"
	ids := m.compareIDs()
	if len(ids) != maxCompare || ids[len(ids)-1] != "run-11" || m.cmp.left != 12-maxCompare {
		t.Fatalf("12 runs: compared %v (%d left out); want %d with the pinned run-11 last", ids, m.cmp.left, maxCompare)
	}
	seen := map[int]string{}
	for _, id := range ids {
		c := m.cmp.colors[id]
		if o, dup := seen[c]; dup {
			t.Errorf("%s and %s share palette slot %d", o, id, c)
		}
		seen[c] = id
	}
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	if got := plain(m); !strings.Contains(got, "4 more not shown (at most 8): mark fewer") {
		t.Errorf("the status line does not say that runs were left out:\n%s", got)
	}
	// Runs come and go: the ones still compared keep their colours.
	before := maps.Clone(m.cmp.colors)
	m.rows = slices.Delete(m.rows, 0, 3)
	m.selected = "run-05"
	for _, id := range m.compareIDs() {
		if c, ok := before[id]; ok && m.cmp.colors[id] != c {
			t.Errorf("%s changed colour from %d to %d when other runs left", id, c, m.cmp.colors[id])
		}
	}
}

// TestCompareLogYPerChart checks that l toggles the focused compare chart only, and that the run
// view's log-y is unchanged by it.
func TestCompareLogYPerChart(t *testing.T) {
	f := compareFixture(t)
	m := f.model(t, Params{}, 120, 40)
	press(m, "v")
	press(m, "tab") // accuracy
	press(m, "l")
	if !m.compareLogY("cmp:acc") || m.compareLogY("cmp:loss") || m.logY {
		t.Fatalf("after l on the accuracy chart: acc %v, loss %v, run view %v; want only acc", m.compareLogY("cmp:acc"), m.compareLogY("cmp:loss"), m.logY)
	}
	press(m, "tab") // table
	press(m, "l")
	if !strings.Contains(m.notice.text, "no y axis") {
		t.Errorf("l on the table: notice %q", m.notice.text)
	}
	if got := plain(m); !strings.Contains(got, "test accuracy · 3 runs · log-y") {
		t.Errorf("the accuracy chart's title does not say log-y:\n%s", got)
	}
}

// TestCompareKeysYieldToRemaps checks that a tui.keys remap takes a compare key from compare mode
// instead of being refused, and that compare mode keeps a key of its own.
func TestCompareKeysYieldToRemaps(t *testing.T) {
	f := compareFixture(t)
	m := f.model(t, Params{Keys: "pause=space,zoom=Z v"}, 120, 40)
	if m.notice.text != "" {
		t.Fatalf("the remap was refused: %s", m.notice.text)
	}
	press(m, "v")
	if m.cmp.on || !m.zoom {
		t.Fatalf("v remapped to zoom: compare %v, zoom %v", m.cmp.on, m.zoom)
	}
	press(m, "C")
	press(m, "m")
	if !m.cmp.on || !m.cmp.marked["sweep-c"] {
		t.Fatalf("C and m: compare %v, marked %v; want compare on and sweep-c marked", m.cmp.on, m.cmp.marked)
	}
	press(m, "?")
	if got := plain(m); !strings.Contains(got, "C   compare runs") || !strings.Contains(got, "m   mark run") {
		t.Errorf("the help does not show the keys compare mode kept:\n%s", got)
	}
}

// TestCompareNonFiniteFinishesQuickly feeds NaN, ±Inf and ±1e300 into the loss, accuracy and point
// charts of four compared runs and renders every compare pane, tiled and zoomed, linear and log,
// at three sizes. It fails if that has not finished in 1 s, and if a chart shows a non-finite or
// unclamped number (the table and legends may spell out NaN: they report what the run said).
func TestCompareNonFiniteFinishesQuickly(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300}
	m, _ := bareModel(t)
	m.rows = nil
	for r := range 4 {
		id := fmt.Sprintf("bad-%d", r)
		m.rows = append(m.rows, lab.RunInfo{ID: id, Experiment: "x", Status: lab.StatusRunning})
		s := m.state(id)
		for i := range 40 {
			step := int64(i + 1)
			v := bad[i%len(bad)]
			good := lossAt(i)
			if r == 3 {
				good = v // one run has nothing finite at all
			}
			s.apply(lab.StepMetrics{Step: step, Loss: good})
			s.apply(lab.StepMetrics{Step: step, Loss: v})
			s.apply(lab.EpochSummary{Step: step, TestAcc: v})
			s.apply(lab.EpochSummary{Step: step, TestAcc: 0.5})
			s.apply(lab.Point{Chart: "c", Series: "s", X: v, Y: 1})
			s.apply(lab.Point{Chart: "c", Series: "s", X: float64(step), Y: v, Err: v})
		}
	}
	m.selected = "bad-0"
	m.cmp.on = true
	done := make(chan string, 1)
	go func() {
		var charts strings.Builder
		for _, sz := range [][2]int{{80, 24}, {120, 40}, {61, 17}} {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			for _, logY := range []bool{false, true} {
				m.cmp.logY = map[string]bool{"cmp:loss": logY, "cmp:acc": logY, "cmp:points:c\x00s": logY}
				for _, p := range m.comparePanes(m.compareIDs()) {
					for _, zoom := range []bool{false, true} {
						m.cmp.focus, m.zoom, m.dirty = p.key, zoom, true
						plain(m)
					}
					if p.kind != paneCmpTable {
						_, content := m.comparePane(p, sz[0]/2, sz[1]/2)
						charts.WriteString(ansi.Strip(content))
					}
				}
			}
		}
		done <- charts.String()
	}()
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	select {
	case out := <-done:
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "━") {
				continue // a legend: the latest value as reported
			}
			for _, w := range []string{"NaN", "Inf", "e+300", "e-300"} {
				if strings.Contains(line, w) {
					t.Errorf("a compare chart shows %q: %q", w, line)
				}
			}
		}
	case <-timer.C:
		t.Fatal("rendering compare panes with NaN/Inf/1e300 did not finish within 1 s")
	}
}

// TestCompareFitsEverySize checks that compare mode, with marks, a pin, the filter line open and
// the help, fills exactly the terminal at every size the view accepts, and that the ascii theme
// keeps it free of escape sequences and non-ASCII characters.
func TestCompareFitsEverySize(t *testing.T) {
	f := compareFixture(t)
	for _, theme := range []string{ThemeDark, ThemeASCII} {
		m := f.model(t, Params{Theme: theme}, 80, 24)
		for _, k := range []string{"space", "down", "P", "v", "/", "s", "w"} {
			press(m, k)
		}
		edit := m.cmp.edit
		for _, sz := range [][2]int{{80, 24}, {81, 25}, {99, 30}, {137, 43}, {160, 50}, {250, 70}, {60, 16}} {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			for _, keys := range [][]string{nil, {"?"}, {"z"}, {"tab", "tab"}} {
				m.cmp.edit = nil
				for _, k := range keys {
					press(m, k)
				}
				if keys == nil {
					m.cmp.edit, m.dirty = edit, true // the filter line open
				}
				if !m.cmp.on {
					t.Fatalf("%v left compare mode", keys)
				}
				frame := m.View().Content
				checkSize(t, ansi.Strip(frame), sz[0], sz[1])
				if theme == ThemeASCII {
					for i := 0; i < len(frame); i++ {
						if frame[i] >= 0x80 || frame[i] == 0x1b {
							t.Fatalf("ascii theme, %dx%d after %v: byte %#x in the frame:\n%s", sz[0], sz[1], keys, frame[i], frame)
						}
					}
				}
				m.showHelp, m.zoom = false, false
			}
		}
	}
}
