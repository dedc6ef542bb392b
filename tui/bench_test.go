package tui

import (
	"context"
	"fmt"
	"github.com/logitlab/logitlab/internal/labtest"
	"math"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/logitlab/logitlab/internal/config"
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

// compareBenchModel is a model in compare mode over n runs of steps steps each (sweepEvents: a
// loss per step, an evaluation every 50 steps, a point chart of two series), fed by applying the
// events to their states directly.
func compareBenchModel(tb testing.TB, n, steps int) *Model {
	tb.Helper()
	m, _ := bareModel(tb)
	m.rows = nil
	for r := range n {
		id := fmt.Sprintf("sweep-%d", r)
		m.rows = append(m.rows, lab.RunInfo{ID: id, Experiment: "train", Status: lab.StatusRunning, Step: int64(steps), TotalSteps: int64(2 * steps)})
		s := m.state(id)
		for _, ev := range sweepEvents(0.0005*float64(r+1), 1-0.1*float64(r), steps) {
			s.apply(ev)
		}
	}
	m.selected = m.rows[0].ID
	m.cmp.on = true
	return m
}

// BenchmarkCompareView measures one full frame of compare mode at 120×40 overlaying 4 runs of
// 5 000 steps each (each run's loss is stored as 2 500-odd averaged points with their ranges,
// downsampled to the chart's columns on every frame, envelope and EMA): the loss and accuracy
// charts of the first page, the run list and the status lines. The goal is ≤ 5 ms.
func BenchmarkCompareView(b *testing.B) {
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		b.Run(fmt.Sprintf("4runs_5000steps/%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := compareBenchModel(b, 4, 5000)
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			if got := len(m.compareIDs()); got != 4 {
				b.Fatalf("%d runs compared, want 4", got)
			}
			b.ReportAllocs()
			for b.Loop() {
				m.dirty = true
				m.View()
			}
		})
	}
}

// paced is a fake experiment that logs steps only when asked: each value received on steps makes it
// log that many more steps (a loss each, an evaluation every 100), so that a test can play a run
// training at any rate in simulated time. It ends when steps is closed.
type paced struct{ steps chan int }

func (paced) Name() string    { return "paced" }
func (paced) Summary() string { return "a fake run that logs steps on request" }

func (p paced) Run(ctx context.Context, env *lab.Env) error {
	step := 0
	for {
		select {
		case n, ok := <-p.steps:
			if !ok {
				return nil
			}
			for range n {
				step++
				env.Emit(lab.StepMetrics{Step: int64(step), Epoch: 1 + step/1000, Loss: lossAt(step / 5), LR: 0.01, SamplesPerSec: 6400})
				if step%100 == 0 {
					env.Emit(lab.EpochSummary{Step: int64(step), Epoch: 1 + step/1000, TestAcc: 0.9 - 0.4*math.Exp(-float64(step)/300)})
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// terminalRate is what terminalBytes measured: the bytes of the first frame (a full paint) and the
// bytes per simulated second written after it while the run trained, and after it went idle.
type terminalRate struct {
	first, perSec, idle float64
}

// terminalBytes measures the bytes a model writes to a w×h terminal while a run trains at 100
// steps per second, in simulated time: the fake run (paced) logs 10 steps, the model pulls them
// (labChangedMsg, as its doorbell wait would deliver at its 10 fps cap) and renders, and the frame
// goes through the cell-diffing renderer Bubble Tea v2 itself flushes frames with (ultraviolet's
// TerminalRenderer over a ScreenBuffer, alt screen, the given colour profile), whose output is
// counted; that repeats for 5 simulated seconds (50 frames). Then 10 more pulls with nothing new
// must write nothing. With compare set, three finished runs are overlaid with the training one.
// Nothing depends on the wall clock, so the numbers are the same on every machine.
func terminalBytes(tb testing.TB, w, h int, compare bool, profile colorprofile.Profile) terminalRate {
	tb.Helper()
	steps := make(chan int)
	l, err := lab.New(lab.Params{RunsDir: tb.TempDir(), Experiments: []lab.Experiment{paced{steps}, sweep{}}})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); l.Wait() }()
	if compare {
		for i, lr := range []float64{0.001, 0.003, 0.01} {
			c := config.Default()
			c.Train.LR = lr
			r, err := l.Start(ctx, lab.Spec{Experiment: "train", ID: fmt.Sprintf("sweep-%d", i), Config: c})
			if err != nil {
				tb.Fatal(err)
			}
			<-r.Done()
		}
	}
	run, err := l.Start(ctx, lab.Spec{Experiment: "paced", ID: "paced", Config: config.Default()})
	if err != nil {
		tb.Fatal(err)
	}
	m := newModel(ctx, Params{Lab: l})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(labChangedMsg{})
	if compare {
		for _, k := range []string{"space", "down", "space", "down", "space", "down", "space", "up", "up", "up", "v"} {
			press(m, k)
		}
		if got := len(m.compareIDs()); got != 4 {
			tb.Fatalf("%d runs compared, want 4", got)
		}
	}
	var out countWriter
	scr := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
	scr.SetColorProfile(profile)
	scr.SetFullscreen(true)
	scr.SetRelativeCursor(false)
	scr.SetScrollOptim(true)
	scr.Resize(w, h)
	scr.EnterAltScreen()
	buf := uv.NewScreenBuffer(w, h)
	draw := func() {
		buf.Clear()
		uv.NewStyledString(m.View().Content).Draw(buf, buf.Bounds())
		scr.Render(buf.RenderBuffer)
		if err := scr.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	draw()
	first := out.n
	const fps, rate, seconds = 10, 100, 5
	logged := 0
	for range fps * seconds {
		steps <- rate / fps
		logged += rate / fps
		want := 1 + logged + logged/100 // Started, the steps and their evaluations
		deadline := time.Now().Add(20 * time.Second)
		for run.Len() < want {
			if time.Now().After(deadline) {
				tb.Fatalf("the paced run logged %d events, want %d", run.Len(), want)
			}
			time.Sleep(100 * time.Microsecond)
		}
		m.Update(labChangedMsg{})
		draw()
	}
	busy := out.n - first
	for range 10 {
		m.Update(labChangedMsg{})
		draw()
	}
	close(steps)
	return terminalRate{first: float64(first), perSec: float64(busy) / seconds, idle: float64(out.n - first - busy)}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

// TestTerminalBytesPerSecond reports the bytes per second a training run puts on the terminal (see
// terminalBytes) in the run view and in compare mode at 120×40, and checks that idle pulls write
// nothing and that the rate stays within 100 KB/s (the research measured 41 KB/s for a comparable
// v2 view).
func TestTerminalBytesPerSecond(t *testing.T) {
	for _, compare := range []bool{false, true} {
		r := terminalBytes(t, 120, 40, compare, colorprofile.TrueColor)
		t.Logf("compare=%v 120x40 truecolor: first frame %.0f B, then %.0f B/s while training at 100 steps/s (10 fps), idle %.0f B", compare, r.first, r.perSec, r.idle)
		if r.idle != 0 {
			t.Errorf("compare=%v: idle pulls wrote %.0f bytes, want 0", compare, r.idle)
		}
		if r.perSec <= 0 || r.perSec > 100_000 {
			t.Errorf("compare=%v: %.0f bytes/s while training, want (0, 100 000]", compare, r.perSec)
		}
	}
}

// BenchmarkTerminalBytes reports the same measurement as metrics (bytes/s and first-frame bytes)
// for both views and two colour profiles; its ns/op is the cost of simulating 5 s of training.
func BenchmarkTerminalBytes(b *testing.B) {
	for _, compare := range []bool{false, true} {
		for _, p := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256} {
			b.Run(fmt.Sprintf("compare=%v/%s/120x40", compare, p), func(b *testing.B) {
				var r terminalRate
				for b.Loop() {
					r = terminalBytes(b, 120, 40, compare, p)
				}
				b.ReportMetric(r.perSec, "bytes/s")
				b.ReportMetric(r.first, "first-frame-bytes")
			})
		}
	}
}
