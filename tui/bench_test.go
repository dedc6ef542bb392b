package tui

import (
	"fmt"
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
