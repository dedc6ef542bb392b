package labtest

import (
	"context"
	"fmt"
	"math"

	"github.com/logitlab/logitlab/lab"
)

// Panes is a fake experiment for the viewers' generic panes: it logs a standard and a robust loss
// per step (StepMetrics.Series), evaluations with extra values, and one of each generic event —
// a Histogram per evaluation, a Table, a Point chart with error bars over a log-spaced x, and an
// Images gallery — all computed from fixed formulas, then finishes. Every run emits the same events.
type Panes struct {
	Steps     int64 // optimizer steps (0 means 200)
	EvalEvery int64 // steps between evaluations and histograms (0 means 100)
}

// Name implements lab.Experiment.
func (Panes) Name() string { return "panes" }

// Summary implements lab.Experiment.
func (Panes) Summary() string { return "a fake experiment that emits one event of every generic kind" }

// Run implements lab.Experiment: it emits Events, then finishes.
func (p Panes) Run(ctx context.Context, env *lab.Env) error {
	for _, b := range p.Events() {
		if err := ctx.Err(); err != nil {
			return err
		}
		env.Emit(b)
	}
	return env.SetResults(map[string]any{"test_acc": 0.912, "robust_acc": 0.431})
}

// Events returns the events Run emits, in order.
func (p Panes) Events() []lab.Body {
	steps, every := p.Steps, p.EvalEvery
	if steps <= 0 {
		steps = 200
	}
	if every <= 0 {
		every = 100
	}
	ev := []lab.Body{lab.Progress{Step: 0, TotalSteps: steps}}
	for s := int64(1); s <= steps; s++ {
		x := float64(s)
		std := 2.3*math.Exp(-x/40) + 0.1 + 0.05*math.Sin(x*1.7)
		rob := 2.3*math.Exp(-x/90) + 0.45 + 0.05*math.Sin(x*1.3)
		epoch := int(1 + (s-1)/every)
		ev = append(ev, lab.StepMetrics{Step: s, Epoch: epoch, Loss: (std + rob) / 2, LR: 0.01, SamplesPerSec: 800,
			Series: map[string]float64{"standard/loss": std, "robust/loss": rob}})
		if s%every == 0 {
			f := x / float64(steps)
			ev = append(ev,
				lab.EpochSummary{Step: s, Epoch: epoch, TrainLoss: std, TestLoss: std + 0.05, TestAcc: 0.80 + 0.11*f,
					Extra: map[string]float64{"robust_acc": 0.25 + 0.18*f, "logit_gap": 3.1 - f}},
				maxLogitHistogram(s, epoch, f),
				lab.Progress{Step: s, TotalSteps: steps, Elapsed: x * 0.05})
		}
	}
	ev = append(ev, robustnessTable(steps))
	ev = append(ev, accuracyVsEps()...)
	ev = append(ev, disagreements(steps))
	return ev
}

// maxLogitHistogram is the max logit of a standard and a robust model: 24 bins over [0, 12), two
// bell shapes that move apart as training goes on (f in (0, 1]).
func maxLogitHistogram(step int64, epoch int, f float64) lab.Histogram {
	const bins = 24
	edges := make([]float64, bins+1)
	for i := range edges {
		edges[i] = float64(i) / 2
	}
	series := func(label string, mu, sd float64) lab.HistSeries {
		counts := make([]int, bins)
		sum, n := 0.0, 0
		for i := range counts {
			c := 0.5 * (edges[i] + edges[i+1])
			counts[i] = int(math.Round(400 * math.Exp(-(c-mu)*(c-mu)/(2*sd*sd))))
			sum += c * float64(counts[i])
			n += counts[i]
		}
		return lab.HistSeries{Label: label, Counts: counts, Mean: sum / float64(n), Median: mu}
	}
	return lab.Histogram{Name: "max_logit", Step: step, Epoch: epoch, Edges: edges,
		Series: []lab.HistSeries{series("standard", 5+3*f, 1.5), series("robust", 3+f, 1)}}
}

func robustnessTable(step int64) lab.Table {
	return lab.Table{Name: "robustness", Step: step,
		Columns: []string{"model", "clean acc", "PGD-40 acc", "max logit"},
		Rows: [][]string{
			{"standard", "91.2 ± 0.3", "0.4 ± 0.1", "7.93"},
			{"robust (ε=0.1)", "87.5 ± 0.4", "43.1 ± 1.2", "3.99"},
			{"robust + label smoothing", "86.9 ± 0.5", "44.0 ± 0.9", "2.61"},
		},
		Note: "mean ± sd over 3 seeds; PGD-40, 2 restarts"}
}

// accuracyVsEps is robust accuracy against the attack budget ε, log-spaced over 2.5 decades.
func accuracyVsEps() []lab.Body {
	var out []lab.Body
	for _, eps := range []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.3} {
		t := math.Log10(eps/0.001) / 2.5 // 0 … 1
		out = append(out,
			lab.Point{Chart: "robust accuracy vs eps", Series: "standard", X: eps, Y: 0.91 * math.Exp(-6*t*t), Err: 0.01 + 0.02*t,
				XLabel: "eps", YLabel: "accuracy"},
			lab.Point{Chart: "robust accuracy vs eps", Series: "robust", X: eps, Y: 0.87 - 0.5*t*t, Err: 0.02})
	}
	return out
}

// disagreements is a gallery of six 28×28 seven-segment digits drawn with soft, slanted strokes.
func disagreements(step int64) lab.Images {
	items := []struct {
		digit    int
		std, rob int
	}{{7, 1, 7}, {2, 7, 2}, {1, 4, 1}, {0, 6, 0}, {4, 9, 4}, {9, 4, 9}}
	g := lab.Images{Name: "disagreements", Step: step, C: 1, H: 28, W: 28}
	for _, it := range items {
		g.Items = append(g.Items, lab.ImageItem{Caption: fmt.Sprintf("std %d rob %d", it.std, it.rob), Pixels: digit(it.digit)})
	}
	return g
}

// segments lists, per digit, its lit segments of a seven-segment display: a b c d e f g.
var segments = [10]string{"abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"}

// digit draws a 28×28 seven-segment digit in [0,1], with strokes about 3 pixels wide.
func digit(d int) []float32 {
	ends := map[rune][4]float64{ // x0, y0, x1, y1
		'a': {9, 5, 19, 5}, 'b': {19, 5, 19, 14}, 'c': {19, 14, 19, 23}, 'd': {9, 23, 19, 23},
		'e': {9, 14, 9, 23}, 'f': {9, 5, 9, 14}, 'g': {9, 14, 19, 14},
	}
	px := make([]float32, 28*28)
	for y := range 28 {
		for x := range 28 {
			sx := float64(x) + 0.18*(float64(y)-14) // slant
			v := 0.0
			for _, s := range segments[d] {
				e := ends[s]
				v = math.Max(v, stroke(sx, float64(y), e))
			}
			px[y*28+x] = float32(v)
		}
	}
	return px
}

// stroke is the ink of a segment at (x, y): 1 within 1 pixel of it, fading to 0 at 2.5.
func stroke(x, y float64, e [4]float64) float64 {
	dx, dy := e[2]-e[0], e[3]-e[1]
	t := ((x-e[0])*dx + (y-e[1])*dy) / (dx*dx + dy*dy)
	t = math.Min(math.Max(t, 0), 1)
	d := math.Hypot(x-e[0]-t*dx, y-e[1]-t*dy)
	return math.Min(math.Max((2.5-d)/1.5, 0), 1)
}
