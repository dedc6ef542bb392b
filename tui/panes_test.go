package tui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

// panesFixture is a lab with a finished run of labtest.Panes ("panes-a", selected), which emitted
// one event of every generic kind, and a finished plain run ("mnist-c") under it in the list.
func panesFixture(t *testing.T) *fixture {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: []lab.Experiment{labtest.Panes{}, finishedScript()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); l.Wait() })
	for _, s := range [][2]string{{"short", "mnist-c"}, {"panes", "panes-a"}} {
		r, err := l.Start(ctx, lab.Spec{Experiment: s[0], ID: s[1], Config: testConfig()})
		if err != nil {
			t.Fatalf("start %s: %v", s[1], err)
		}
		<-r.Done()
	}
	return &fixture{lab: l, ctx: ctx}
}

// The panes of the fixture's run, in focus order.
var fixturePanes = []string{"loss", "acc", "hist:max_logit", "points:robust accuracy vs eps", "table:robustness", "images:disagreements"}

func TestPanesGolden(t *testing.T) {
	f := panesFixture(t)
	tabs := func(n int) []string { return slices.Repeat([]string{"tab"}, n) }
	for _, tc := range []struct {
		name  string
		w, h  int
		ascii bool
		keys  []string
	}{
		{"all_120x40", 120, 40, false, nil},
		{"all_160x48", 160, 48, false, nil},
		{"metrics_80x24", 80, 24, false, nil},
		{"hist_80x24", 80, 24, false, tabs(2)},
		{"hist_older_80x24", 80, 24, false, append(tabs(2), "[")},
		{"points_80x24", 80, 24, false, tabs(3)},
		{"table_80x24", 80, 24, false, tabs(4)},
		{"images_80x24", 80, 24, false, []string{"shift+tab"}},
		{"images_ascii_80x24", 80, 24, true, tabs(5)},
		{"zoom_loss_160x48", 160, 48, false, []string{"z"}},
		{"zoom_hist_160x48", 160, 48, false, append(tabs(2), "z")},
		{"zoom_points_160x48", 160, 48, false, append(tabs(3), "z")},
		{"zoom_table_160x48", 160, 48, false, append(tabs(4), "z")},
		{"zoom_images_160x48", 160, 48, false, append(tabs(5), "z")},
		{"zoom_images_ascii_160x48", 160, 48, true, append(tabs(5), "z")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := f.model(t, Params{Header: header}, tc.w, tc.h)
			if tc.ascii {
				m.Update(tea.ColorProfileMsg{Profile: colorprofile.ASCII})
			}
			for _, k := range tc.keys {
				press(m, k)
			}
			got := plain(m)
			checkSize(t, got, tc.w, tc.h)
			checkGolden(t, "panes_"+tc.name, got)
		})
	}
}

func TestFocusAndZoomKeys(t *testing.T) {
	f := panesFixture(t)
	m := f.model(t, Params{}, 80, 24)
	firstLine := func() string { return strings.SplitN(plain(m), "\n", 2)[0] }
	// tab visits every pane in order and wraps; the page shown holds the focused pane.
	for i := range len(fixturePanes) + 1 {
		want := fixturePanes[i%len(fixturePanes)]
		if m.focus != want && !(i == 0 && m.focus == "") {
			t.Fatalf("after %d tabs focus is %q, want %q", i, m.focus, want)
		}
		if i == 2 && !strings.Contains(plain(m), "max_logit · epoch 2") {
			t.Fatalf("focus on the histogram, but its pane is not shown:\n%s", plain(m))
		}
		press(m, "tab")
	}
	press(m, "shift+tab")
	press(m, "shift+tab")
	if m.focus != "images:disagreements" {
		t.Fatalf("shift+tab from loss went to %q, want the last pane", m.focus)
	}
	// z zooms the focused pane over the run list and every other pane; tab keeps the zoom.
	press(m, "z")
	if !m.zoom || !strings.HasPrefix(firstLine(), "╭─ disagreements") || strings.Contains(plain(m), "runs") {
		t.Fatalf("z did not zoom the gallery to the whole width:\n%s", plain(m))
	}
	press(m, "tab")
	if !strings.HasPrefix(firstLine(), "╭─ loss") || !strings.Contains(plain(m), "zoom: pane 1 of 6") {
		t.Fatalf("tab while zoomed did not zoom the next pane:\n%s", plain(m))
	}
	press(m, "esc")
	if m.zoom || !strings.HasPrefix(firstLine(), "╭─ runs") {
		t.Fatalf("esc did not end the zoom:\n%s", plain(m))
	}
	press(m, "z")
	press(m, "z")
	if m.zoom {
		t.Fatal("z twice left the pane zoomed")
	}
	// [ and ] step through the histogram's epochs, and only on a histogram pane.
	press(m, "[")
	if m.notice.level != levelWarn || !strings.Contains(m.notice.text, "focus a histogram") {
		t.Fatalf("[ on the loss pane: notice %q", m.notice.text)
	}
	press(m, "tab")
	press(m, "tab")
	press(m, "[")
	if got := plain(m); !strings.Contains(got, "epoch 1 · step 100 · 1/2") {
		t.Fatalf("[ did not show the older histogram:\n%s", got)
	}
	press(m, "[")
	if !strings.Contains(m.notice.text, "no older max_logit histogram") {
		t.Fatalf("[ at the oldest histogram: notice %q", m.notice.text)
	}
	press(m, "]")
	if got := plain(m); !strings.Contains(got, "epoch 2 · step 200 · 2/2") {
		t.Fatalf("] did not come back to the newest histogram:\n%s", got)
	}
	// The help lists the new keys.
	press(m, "?")
	for _, want := range []string{"next pane", "previous pane", "zoom pane", "older histogram"} {
		if !strings.Contains(plain(m), want) {
			t.Errorf("help lacks %q:\n%s", want, plain(m))
		}
	}
}

// TestHistogramFollowsNewest checks that a newer histogram of the same name replaces the shown one
// unless the viewer has stepped back, and that history is capped.
func TestHistogramFollowsNewest(t *testing.T) {
	t.Parallel()
	s := newRunState(0.6)
	h := func(step int64) lab.Histogram {
		return lab.Histogram{Name: "g", Step: step, Edges: []float64{0, 1}, Series: []lab.HistSeries{{Label: "a", Counts: []int{int(step)}}}}
	}
	s.apply(h(1))
	s.apply(h(2))
	hs := s.ex.hists["g"]
	if got, _ := hs.shown(); got.Step != 2 {
		t.Fatalf("shows step %d, want the newest (2)", got.Step)
	}
	hs.step(-1)
	s.apply(h(3))
	if got, i := hs.shown(); got.Step != 1 || i != 0 {
		t.Fatalf("after stepping back and a new arrival, shows step %d at %d, want 1 at 0", got.Step, i)
	}
	hs.step(+5)
	for k := int64(4); k < 4+maxHistHistory; k++ {
		s.apply(h(k))
	}
	if len(hs.hist) != maxHistHistory {
		t.Errorf("kept %d histograms, want the cap %d", len(hs.hist), maxHistHistory)
	}
	if got, _ := hs.shown(); got.Step != 3+maxHistHistory {
		t.Errorf("shows step %d, want the newest %d", got.Step, 3+maxHistHistory)
	}
	if len(s.ex.histOrder) != 1 {
		t.Errorf("one name made %d panes", len(s.ex.histOrder))
	}
}

func TestPanesLayoutFitsEverySize(t *testing.T) {
	f := panesFixture(t)
	m := f.model(t, Params{Header: header}, 80, 24)
	for _, sz := range [][2]int{{60, 16}, {80, 24}, {81, 25}, {99, 30}, {120, 40}, {137, 43}, {160, 48}, {200, 60}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, ascii := range []bool{false, true} {
			m.ascii = ascii
			for range fixturePanes {
				for _, zoom := range []bool{false, true} {
					m.zoom, m.dirty = zoom, true
					checkSize(t, plain(m), sz[0], sz[1])
				}
				press(m, "tab")
			}
		}
	}
}

func TestArrange(t *testing.T) {
	t.Parallel()
	all := []paneKind{paneLoss, paneAcc, paneHist, panePoints, paneTable, paneImages}
	for _, tc := range []struct {
		name string
		w, h int // terminal size
		n    int // the first n of all
		want []int
	}{
		{"80x24 metrics", 80, 24, 2, []int{1, 1}},   // loss over accuracy, as before
		{"60x16 metrics", 60, 16, 2, []int{1, 1}},   // the smallest view still shows both
		{"120x40 metrics", 120, 40, 2, []int{1, 1}}, // few panes stack even when there is width
		{"120x40 all", 120, 40, 6, []int{2, 2, 2}},
		{"120x40 three", 120, 40, 3, []int{1, 2}},
		{"160x48 all", 160, 48, 6, []int{2, 2, 2}},
		{"200x60 three", 200, 60, 3, []int{1, 2}}, // the loss gets the full width
		{"200x60 four", 200, 60, 4, []int{2, 2}},
		{"200x60 all", 200, 60, 6, []int{2, 2, 2}},
	} {
		listW := min(max(tc.w/4, 22), 40)
		w, h := tc.w-listW, tc.h-statusLines
		cols, rows := grid(w, h)
		if got := arrange(all[:tc.n], w, h, cols, rows); !slices.Equal(got, tc.want) {
			t.Errorf("%s: arrange = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := arrange(nil, 100, 40, 2, 3); got != nil {
		t.Errorf("no panes arranged as %v", got)
	}
}

func TestBinColumns(t *testing.T) {
	t.Parallel()
	sum := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s
	}
	// More bins than columns: every count lands somewhere, so the mass is kept.
	edges := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}
	counts := []int{1, 2, 3, 4, 5, 6, 7, 8}
	if got := sum(binColumns(edges, counts, 3)); math.Abs(got-36) > 1e-9 {
		t.Errorf("8 bins into 3 columns hold %v, want 36", got)
	}
	// Fewer bins than columns: each column shows the bin under its centre, scaled by column/bin width.
	got := binColumns([]float64{0, 1, 2}, []int{4, 8}, 4)
	if want := []float64{2, 2, 4, 4}; !slices.Equal(got, want) {
		t.Errorf("2 bins into 4 columns: %v, want %v", got, want)
	}
	// Negative and missing counts are 0; a degenerate range gives empty columns.
	if got := binColumns([]float64{0, 1, 2, 3}, []int{-5, 3}, 3); !slices.Equal(got, []float64{0, 3, 0}) {
		t.Errorf("negative/missing counts: %v", got)
	}
	if got := binColumns([]float64{1, 1}, []int{3}, 2); !slices.Equal(got, []float64{0, 0}) {
		t.Errorf("empty range: %v", got)
	}
}

func TestResampleAveragesAndClamps(t *testing.T) {
	t.Parallel()
	g := lab.Images{C: 1, H: 2, W: 4}
	px := []float32{0, 1, 1, 1, float32(math.NaN()), 2, -1, float32(math.Inf(1))}
	// 2×4 → 1×2: left box {0, 1, NaN→0, 2→1} = 0.5, right box {1, 1, -1→0, +Inf→0} = 0.5.
	if got := resample(g, px, 2, 1); !slices.Equal(got, []float64{0.5, 0.5}) {
		t.Errorf("resample = %v, want [0.5 0.5]", got)
	}
	rgb := lab.Images{C: 3, H: 1, W: 1}
	if got := resample(rgb, []float32{1, 0, 0}, 1, 1); math.Abs(got[0]-0.299) > 1e-12 {
		t.Errorf("luma of pure red = %v, want 0.299", got[0])
	}
}

// TestOddContentIsDrawn renders contents that are legal but awkward — and some that are not —
// and checks what each pane says about them.
func TestOddContentIsDrawn(t *testing.T) {
	for _, tc := range []struct {
		name string
		body lab.Body
		want []string
	}{
		{"all-zero counts", lab.Histogram{Name: "z", Edges: []float64{0, 1, 2}, Series: []lab.HistSeries{{Label: "a", Counts: []int{0, 0}}}}, []string{"no samples"}},
		{"single bin", lab.Histogram{Name: "one", Edges: []float64{0, 1}, Series: []lab.HistSeries{{Label: "a", Counts: []int{5}, Mean: 0.5}}}, []string{"▼", "█", "0", "1"}},
		{"bad edges", lab.Histogram{Name: "bad", Edges: []float64{3, 1, 2}, Series: []lab.HistSeries{{Label: "a", Counts: []int{1, 2}}}}, []string{"bin 0", "bin 2"}},
		{"no bins", lab.Histogram{Name: "none", Series: []lab.HistSeries{{Label: "a"}}}, []string{"histogram has no bins"}},
		{"many series", manySeries(12), []string{"7 of 12 series (z)", "s0", "s6"}},
		{"no series", lab.Histogram{Name: "empty", Edges: []float64{0, 1}}, []string{"histogram has no series"}},
		{"ragged table", lab.Table{Name: "t", Columns: []string{"a", "b"}, Rows: [][]string{{"1"}, {"2", "3", "extra"}, nil}}, []string{"extra", "1", "3"}},
		{"empty table", lab.Table{Name: "t"}, []string{"empty table"}},
		{"escapes in cells", lab.Table{Name: "t", Columns: []string{"x\x1b[31m"}, Rows: [][]string{{"a\nb\tc"}}}, []string{"a b c"}},
		{"wrong pixel count", lab.Images{Name: "g", C: 1, H: 4, W: 4, Items: []lab.ImageItem{{Caption: "short", Pixels: make([]float32, 3)}}}, []string{"3 px, want 16", "short"}},
		{"bad shape", lab.Images{Name: "g", C: 7, H: -1, W: 4, Items: []lab.ImageItem{{}}}, []string{"cannot draw images of shape 7×-1×4"}},
		{"no images", lab.Images{Name: "g", C: 1, H: 2, W: 2}, []string{"no images"}},
		{"one point", lab.Point{Chart: "p", Series: "s", X: 1, Y: 2}, []string{"━ s"}},
		{"only NaN points", lab.Point{Chart: "p", Series: "s", X: 1, Y: math.NaN()}, []string{"no finite points yet", "1 non-finite"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, s := bareModel(t)
			s.apply(tc.body)
			m.focus = panes(s)[2].key
			m.zoom = true
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			got := plain(m)
			checkSize(t, got, 100, 30)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("pane lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// manySeries is a histogram of n series over 3 bins.
func manySeries(n int) lab.Histogram {
	h := lab.Histogram{Name: "many", Edges: []float64{0, 1, 2, 3}}
	for i := range n {
		h.Series = append(h.Series, lab.HistSeries{Label: fmt.Sprintf("s%d", i), Counts: []int{i, 1, 2}, Mean: 1.5})
	}
	return h
}

// bareModel is a model over an empty lab whose selected run "r" is fed by applying events to its
// state directly.
func bareModel(t testing.TB) (*Model, *runState) {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: []lab.Experiment{script{name: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(context.Background(), Params{Lab: l})
	m.rows = []lab.RunInfo{{ID: "r", Status: lab.StatusRunning, Step: 10, TotalSteps: 100}}
	m.selected = "r"
	return m, m.state("r")
}

// TestGenericPanesNonFiniteFinishQuickly feeds NaN, ±Inf and ±1e300 into every generic pane and
// into the extra loss and evaluation lines, then renders every pane, tiled and zoomed, at three
// sizes (one of them in ASCII). It fails if that has not finished in 1 s (a hang in ntcharts or
// a runaway loop), and if a chart axis shows a non-finite or unclamped number.
func TestGenericPanesNonFiniteFinishQuickly(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300}
	m, s := bareModel(t)
	done := make(chan string, 1)
	go func() {
		for i, v := range bad {
			step := int64(i + 1)
			s.apply(lab.StepMetrics{Step: step, Loss: 1, Series: map[string]float64{"robust/loss": v, "standard/loss": 1 / float64(step)}})
			s.apply(lab.EpochSummary{Step: step, TestAcc: 0.5, Extra: map[string]float64{"robust_acc": v, "gap": v}})
			s.apply(lab.Histogram{Name: "edges", Step: step, Edges: []float64{0, v, 2}, Series: []lab.HistSeries{{Label: "a", Counts: []int{1, 2}, Mean: v, Median: v}}})
			s.apply(lab.Histogram{Name: "wide", Step: step, Edges: []float64{-1e308, 0, 1e308}, Series: []lab.HistSeries{{Label: "a", Counts: []int{math.MaxInt / 2, 3}, Mean: v}, {Label: "b", Counts: []int{-4, 1}, Mean: 0}}})
			for _, chartName := range []string{"lin", "log"} {
				x0 := 1.0
				if chartName == "lin" {
					x0 = -1
				}
				s.apply(lab.Point{Chart: chartName, Series: "good", X: x0, Y: 1, Err: 0.1})
				s.apply(lab.Point{Chart: chartName, Series: "good", X: 1e4, Y: 2, Err: v})
				s.apply(lab.Point{Chart: chartName, Series: "bad", X: v, Y: v, Err: v})
				s.apply(lab.Point{Chart: chartName, Series: "bad", X: float64(step) * 10, Y: v, Err: 1})
				s.apply(lab.Point{Chart: chartName, Series: "bad", X: float64(step) * 100, Y: 1, Err: v})
			}
			s.apply(lab.Bars{Chart: "bars", Step: step, Groups: []string{"a", "b", ""}, Unit: "accuracy",
				Series: []lab.BarSeries{{Label: "clean", Values: []float64{v, 0.5}, Err: []float64{v}}, {Label: "robust", Values: []float64{1, v, v}}}})
			px := []float32{float32(v), 0.5, float32(math.NaN()), 1}
			s.apply(lab.Images{Name: "img", Step: step, C: 1, H: 2, W: 2, Items: []lab.ImageItem{{Caption: "x", Pixels: px}, {Caption: "short", Pixels: px[:3]}}})
		}
		var b strings.Builder
		for _, sz := range [][3]int{{80, 24, 0}, {120, 40, 1}, {61, 17, 0}} {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			m.ascii = sz[2] == 1
			for range panes(s) {
				for _, zoom := range []bool{false, true} {
					m.zoom, m.dirty = zoom, true
					b.WriteString(plain(m))
				}
				m.cycleFocus(1)
			}
		}
		// The chart wrapper on its own, with log x, error bars and every bad value.
		xs := append([]float64{0.001, 1, 1000}, bad...)
		c := chart{width: 60, height: 15, logX: true, xLabel: fmtTick,
			lines: []line{{xs: xs, ys: xs, errs: xs}, {xs: bad, ys: bad, errs: bad}}}
		done <- b.String() + "\x00" + c.render()
	}()
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	select {
	case out := <-done:
		chartOut := out[strings.LastIndex(out, "\x00")+1:]
		for _, w := range []string{"NaN", "Inf", "e+300", "e-300"} {
			if strings.Contains(chartOut, w) {
				t.Errorf("the log-x chart shows %q: a non-finite or unclamped value reached it", w)
			}
		}
		if !strings.Contains(chartOut, "1e+30") {
			t.Errorf("the log-x chart does not reach the clamp bound 1e+30:\n%s", chartOut)
		}
	case <-timer.C:
		t.Fatal("rendering generic panes with NaN/Inf/1e300 did not finish within 1 s")
	}
}

// TestPanesCachedAndIncremental checks that a generic pane is rendered once and reused until its
// content changes, and that pulls apply only new events.
func TestPanesCachedAndIncremental(t *testing.T) {
	f := panesFixture(t)
	m := f.model(t, Params{}, 120, 40)
	m.View()
	s := m.state("panes-a")
	before := s.cache["table:robustness"]
	if before.content == "" {
		t.Fatal("the table pane was not cached")
	}
	frames := m.frames
	for range 3 {
		m.Update(labChangedMsg{})
		m.View()
	}
	if m.frames != frames {
		t.Errorf("idle pulls rendered %d frames", m.frames-frames)
	}
	if n := len(s.ex.hists["max_logit"].hist); n != 2 {
		t.Errorf("after repeated pulls the run keeps %d histograms, want 2", n)
	}
	// A changed table is drawn anew; the cache entry of an unchanged pane stays as it was.
	hist := s.cache["hist:max_logit"]
	s.apply(lab.Table{Name: "robustness", Step: 201, Columns: []string{"model"}, Rows: [][]string{{"new"}}})
	m.dirty = true
	m.View()
	if after := s.cache["table:robustness"]; after.key == before.key || !strings.Contains(ansi.Strip(after.content), "new") {
		t.Errorf("the replaced table was not redrawn: %q", ansi.Strip(after.content))
	}
	if s.cache["hist:max_logit"] != hist {
		t.Error("an unchanged histogram pane was redrawn")
	}
	// The same colour profile again changes nothing.
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	if m.dirty {
		t.Error("an unchanged colour profile marked the frame dirty")
	}
}

// TestSeriesColoursAreStable checks that names keep the palette slot of their first sight, in name
// order within one event, whichever pane mentions them.
func TestSeriesColoursAreStable(t *testing.T) {
	t.Parallel()
	s := newRunState(0.6)
	s.apply(lab.StepMetrics{Step: 1, Loss: 1, Series: map[string]float64{"standard/loss": 1, "robust/loss": 2}})
	s.apply(lab.Histogram{Name: "h", Edges: []float64{0, 1}, Series: []lab.HistSeries{{Label: "standard", Counts: []int{1}}, {Label: "robust", Counts: []int{1}}}})
	s.apply(lab.Point{Chart: "c", Series: "robust", X: 1, Y: 1})
	s.apply(lab.StepMetrics{Step: 2, Loss: 1, Series: map[string]float64{"standard/loss": 1, "robust/loss": 2}})
	want := map[string]int{"robust/loss": 0, "standard/loss": 1, "standard": 2, "robust": 3}
	for name, i := range want {
		if got := s.ex.color(name); got != i {
			t.Errorf("colour of %q = %d, want %d", name, got, i)
		}
	}
	if got := fmt.Sprint(s.ex.lossOrd); got != "[robust/loss standard/loss]" {
		t.Errorf("extra losses in order %s", got)
	}
}
