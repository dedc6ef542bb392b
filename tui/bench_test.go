package tui

import (
	"fmt"
	"github.com/logitlab/logitlab/internal/labtest"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/lab"
)

// BenchmarkRender measures one full frame (both charts, list, status) over a run with 4 096 stored
// loss points, the most a series keeps.
func BenchmarkRender(b *testing.B) {
	l, err := lab.New(lab.Params{RunsDir: b.TempDir(), Experiments: []lab.Experiment{script{name: "x"}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := newModel(b.Context(), Params{Lab: l})
			m.rows = []lab.RunInfo{{ID: "r", Status: lab.StatusRunning, Step: 20000, TotalSteps: 40000}}
			m.selected = "r"
			s := m.state("r")
			for i := 1; i <= 20000; i++ {
				s.apply(lab.StepMetrics{Step: int64(i), Loss: lossAt(i / 10), LR: 0.01})
				if i%500 == 0 {
					s.apply(lab.EpochSummary{Step: int64(i), TestAcc: 0.5 + float64(i)/50000})
				}
			}
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			b.ReportAllocs()
			for b.Loop() {
				m.dirty = true
				m.View()
			}
		})
	}
}

// BenchmarkRenderPanes measures one full frame at 120×40 of a run with every pane kind: loss with
// two extra named losses (20 000 steps, so 4 096 stored points each), accuracy with extra values,
// a 24-bin histogram of two series, a point chart with error bars, a table and a gallery of six
// 28×28 images. "live" is the usual frame while a run logs steps (the generic panes come from the
// cache); "cold" redraws every pane, as after a resize or when every kind changed at once.
func BenchmarkRenderPanes(b *testing.B) {
	for _, cold := range []bool{false, true} {
		name := "live"
		if cold {
			name = "cold"
		}
		b.Run(name+"/120x40", func(b *testing.B) {
			m, s := bareModel(b)
			m.rows[0].Step, m.rows[0].TotalSteps = 20000, 40000
			for _, ev := range (labtest.Panes{Steps: 20000, EvalEvery: 500}).Events() {
				s.apply(ev)
			}
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			if got := len(panes(s)); got != 6 {
				b.Fatalf("%d panes, want 6", got)
			}
			b.ReportAllocs()
			for b.Loop() {
				if cold {
					clear(s.cache)
				}
				m.dirty = true
				m.View()
			}
		})
	}
}
