package tui

import (
	"fmt"
	"math"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/lab"
)

// distillBars is a bar chart as the distill experiment emits it part-way: two teachers, two
// students measured, one not yet (NaN).
func distillBars() lab.Bars {
	nan := math.NaN()
	return lab.Bars{Chart: "distillation: clean and robust accuracy", Step: 900, Unit: "accuracy",
		Note:   "mean ± sd over 3 seeds",
		Groups: []string{"teacher standard", "teacher robust", "hard", "robust", "robust:swapconf"},
		Series: []lab.BarSeries{
			{Label: "clean", Values: []float64{0.961, 0.945, 0.957, 0.938, nan}, Err: []float64{0, 0, 0.002, 0.001, nan}},
			{Label: "robust", Values: []float64{0.036, 0.762, 0.035, 0.161, nan}, Err: []float64{0, 0, 0.003, 0.005, nan}},
		}}
}

func TestBarsPaneGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		m, s := bareModel(t)
		s.apply(distillBars())
		m.focus = "bars:" + distillBars().Chart
		m.zoom = true
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		got := plain(m)
		checkSize(t, got, sz[0], sz[1])
		for _, want := range []string{"teacher robust", "0.762", "0.161 ± 0.005", "robust:swapconf", "…"} {
			if !strings.Contains(got, want) {
				t.Errorf("%dx%d: bars pane lacks %q:\n%s", sz[0], sz[1], want, got)
			}
		}
		checkGolden(t, fmt.Sprintf("bars_zoom_%dx%d", sz[0], sz[1]), got)
	}
}

// TestBarsScale: an accuracy bar of 0.5 fills half the bar width, and a later snapshot of the
// same chart replaces the earlier one.
func TestBarsScale(t *testing.T) {
	m, s := bareModel(t)
	s.apply(lab.Bars{Chart: "c", Unit: "accuracy", Groups: []string{"g"}, Series: []lab.BarSeries{{Label: "x", Values: []float64{0.2}}}})
	s.apply(lab.Bars{Chart: "c", Unit: "accuracy", Groups: []string{"g"}, Series: []lab.BarSeries{{Label: "x", Values: []float64{0.5}}}})
	_, out := m.barsPane(s.ex.bars["c"].b, s, 60, 5)
	n := strings.Count(out, "█")
	// width 60: group label 1 + series label 1 + value 14 + 3 separators → 41 cells of bar
	if n != 21 {
		t.Errorf("%d full cells for 0.5 of a 41-cell bar, want 21:\n%s", n, out)
	}
	if len(s.ex.barsOrd) != 1 {
		t.Errorf("%d charts after two snapshots of one", len(s.ex.barsOrd))
	}
}
