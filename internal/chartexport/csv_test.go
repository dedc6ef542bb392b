package chartexport

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/lab"
)

// TestWriteCSV checks the CSV of each chart kind against text written out by hand from the events
// (the package comment's column layout), NaN and ±Inf included.
func TestWriteCSV(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		events []lab.Body
		key    string
		o      Options
		want   string
	}{
		{"loss with series appearing later and non-finite values", []lab.Body{
			lab.StepMetrics{Step: 1, Loss: 2.5, Series: map[string]float64{"b": 1, "a": pinf}},
			lab.StepMetrics{Step: 2, Loss: nan},
			lab.StepMetrics{Step: 3, Loss: 0.125, Series: map[string]float64{"c": ninf, "a": 0.1}},
		}, "loss", Options{},
			"step,loss,a,b,c\n1,2.5,+Inf,1,\n2,NaN,,,\n3,0.125,0.1,,-Inf\n"},
		{"loss: a series named loss keeps its own column", []lab.Body{
			lab.StepMetrics{Step: 1, Loss: 1, Series: map[string]float64{"loss": 2}},
		}, "loss", Options{}, "step,loss,loss_2\n1,1,2\n"},
		{"loss: steps sorted, a repeated step replaced", []lab.Body{
			lab.StepMetrics{Step: 2, Loss: 4}, lab.StepMetrics{Step: 1, Loss: 3}, lab.StepMetrics{Step: 2, Loss: 5},
		}, "loss", Options{}, "step,loss\n1,3\n2,5\n"},
		{"loss of a run with no steps", nil, "loss", Options{}, "step\n"},
		{"acc with every extra value", []lab.Body{
			lab.EpochSummary{Step: 10, TestAcc: 0.5, Extra: map[string]float64{"robust_acc": 0.25, "logit_gap": nan}},
			lab.EpochSummary{Step: 20, TestAcc: 0.75},
		}, "acc", Options{}, "step,test_acc,logit_gap,robust_acc\n10,0.5,NaN,0.25\n20,0.75,,\n"},
		{"histogram: the latest step", histEvents(), "hist:h", Options{},
			"step,bin_lo,bin_hi,std,rob\n20,0,0.5,7,8\n20,0.5,+Inf,9,\n"},
		{"histogram: a chosen step", histEvents(), "hist:h", Options{HistStep: 10},
			"step,bin_lo,bin_hi,std,rob\n10,0,0.5,1,3\n10,0.5,1,2,4\n"},
		{"points: replaced, sorted by x, non-finite x last", []lab.Body{
			lab.Point{Chart: "c", Series: "s1", X: 2, Y: 0.5, Err: 0.1},
			lab.Point{Chart: "c", Series: "s2", X: 1, Y: pinf},
			lab.Point{Chart: "c", Series: "s1", X: nan, Y: 1},
			lab.Point{Chart: "c", Series: "s1", X: 1, Y: 0.25},
			lab.Point{Chart: "c", Series: "s1", X: 2, Y: 0.75, Err: nan},
		}, "points:c", Options{},
			"series,x,y,err\ns1,1,0.25,0\ns1,2,0.75,NaN\ns1,NaN,1,0\ns2,1,+Inf,0\n"},
		{"bars: NaN values, missing and partial error bars", []lab.Body{
			lab.Bars{Chart: "b", Groups: []string{"hard", "soft, T=4"}, Series: []lab.BarSeries{
				{Label: "clean", Values: []float64{0.9, nan}, Err: []float64{0.01}},
				{Label: "robust", Values: []float64{ninf}},
			}},
		}, "bars:b", Options{},
			"group,series,value,err\nhard,clean,0.9,0.01\nhard,robust,-Inf,\n\"soft, T=4\",clean,NaN,\n\"soft, T=4\",robust,,\n"},
		{"table: the latest, ragged rows padded", []lab.Body{
			lab.Table{Name: "t", Columns: []string{"old"}, Rows: [][]string{{"x"}}},
			lab.Table{Name: "t", Columns: []string{"model", "acc"}, Rows: [][]string{{"std", "91.2 ± 0.3", "extra"}, {"rob"}}},
		}, "table:t", Options{},
			"model,acc,column_3\nstd,91.2 ± 0.3,extra\nrob,,\n"},
		{"images: pixels in C×H×W order, NaN kept", []lab.Body{
			lab.Images{Name: "g", C: 1, H: 1, W: 2, Items: []lab.ImageItem{
				{Caption: " a ", Pixels: []float32{0, 0.5}}, {Caption: "b", Pixels: []float32{float32(nan), 1}},
			}},
		}, "images:g", Options{},
			"item,caption,c,h,w,p0,p1\n0,a,1,1,2,0,0.5\n1,b,1,1,2,NaN,1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := FromEvents(events(tc.events...))
			var buf bytes.Buffer
			if err := c.WriteCSV(&buf, tc.key, tc.o); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("WriteCSV(%q) =\n%s\nwant\n%s", tc.key, got, tc.want)
			}
		})
	}
}

// histEvents are two histograms of one name; the second has a non-finite edge and a short series.
func histEvents() []lab.Body {
	return []lab.Body{
		lab.Histogram{Name: "h", Step: 10, Edges: []float64{0, 0.5, 1}, Series: []lab.HistSeries{
			{Label: "std", Counts: []int{1, 2}}, {Label: "rob", Counts: []int{3, 4}}}},
		lab.Histogram{Name: "h", Step: 20, Edges: []float64{0, 0.5, pinf}, Series: []lab.HistSeries{
			{Label: "std", Counts: []int{7, 9}}, {Label: "rob", Counts: []int{8}}}},
	}
}

func TestWriteCSVErrors(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(histEvents()...))
	var buf bytes.Buffer
	err := c.WriteCSV(&buf, "hist:nope", Options{})
	var nc *NoChartError
	if !errors.As(err, &nc) || !errors.Is(err, ErrNoChart) || !strings.Contains(err.Error(), "loss, acc, hist:h") {
		t.Errorf("unknown key: %v, want a *NoChartError listing the run's charts", err)
	}
	err = c.WriteCSV(&buf, "hist:h", Options{HistStep: 15})
	var ns *NoStepError
	if !errors.As(err, &ns) || ns.Step != 15 || !strings.Contains(err.Error(), "its steps: 10, 20") {
		t.Errorf("unknown step: %v, want a *NoStepError listing steps 10 and 20", err)
	}
}

// TestListOrder checks that charts come in the TUI's pane order, each kind in order of first sight.
func TestListOrder(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(
		lab.Bars{Chart: "b1"},
		lab.Images{Name: "g1"},
		lab.Table{Name: "t1"},
		lab.Point{Chart: "p2", X: 1},
		lab.Point{Chart: "p1", X: 1},
		lab.Histogram{Name: "h2"},
		lab.Histogram{Name: "h1"},
		lab.Histogram{Name: "h2"},
	))
	want := "loss acc hist:h2 hist:h1 points:p2 points:p1 table:t1 images:g1 bars:b1"
	if got := strings.Join(c.Keys(), " "); got != want {
		t.Errorf("Keys() = %s, want %s", got, want)
	}
}

// TestColorOrder checks that series get palette indexes in the order the run first names them,
// as the TUI's extras.color does.
func TestColorOrder(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(
		lab.StepMetrics{Step: 1, Series: map[string]float64{"z/loss": 1, "a/loss": 1}},
		lab.EpochSummary{Step: 1, Extra: map[string]float64{"robust_acc": 1}},
		lab.Point{Chart: "p", Series: "never drawn", X: nan},
		lab.Histogram{Name: "h", Series: []lab.HistSeries{{Label: "robust"}, {Label: "standard"}}},
		lab.Bars{Chart: "b", Series: []lab.BarSeries{{Label: "standard"}, {Label: "clean"}}},
	))
	for name, want := range map[string]int{"a/loss": 0, "z/loss": 1, "robust_acc": 2, "robust": 3, "standard": 4, "clean": 5} {
		if got := c.colors[name]; got != want {
			t.Errorf("colour index of %q = %d, want %d", name, got, want)
		}
	}
	if _, ok := c.colors["never drawn"]; ok {
		t.Error("a point series with no finite x got a colour; the TUI gives it none")
	}
}

func TestFileName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, want string }{
		{"loss", "loss"},
		{"hist:max_logit", "hist-max_logit"},
		{"points:robust accuracy vs eps", "points-robust_accuracy_vs_eps"},
		{"bars:clean/robust (ε=0.1)", "bars-clean_robust_0.1_"},
		{"table:../../etc/passwd", "table-.._.._etc_passwd"},
		{"images:", "images-chart"},
		{"...", "chart"},
		{"weird:key", "weird_key"},
		{"hist:" + strings.Repeat("x", 200), "hist-" + strings.Repeat("x", 75)},
	} {
		if got := FileName(tc.key); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	c := FromEvents(events(lab.Point{Chart: "a b", X: 1}, lab.Point{Chart: "a_b", X: 1}, lab.Point{Chart: "A B", X: 1}))
	var files []string
	for _, ch := range c.List() {
		files = append(files, ch.File)
	}
	if got, want := strings.Join(files, " "), "loss acc points-a_b points-a_b-2 points-A_B-3"; got != want {
		t.Errorf("file names %s, want %s (unique, ignoring case)", got, want)
	}
}
