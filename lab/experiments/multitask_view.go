package experiments

import (
	"fmt"
	"math"
	"slices"

	"github.com/logitlab/logitlab/lab"
)

// varying says which grid dimensions besides s_a, s_b and r take more than one value; they go into
// chart names so that charts of different cells never share a line.
type mtVarying struct{ n, aux, depth bool }

func mtChartName(k mtCellKey, v mtVarying) string {
	s := "benefit vs s_b, s_a=" + mtShort(k.SA)
	if v.n {
		s += fmt.Sprintf(", n=%d", k.NTrain)
	}
	if v.aux {
		s += fmt.Sprintf(", aux=%d", k.NAux)
	}
	if v.depth {
		s += fmt.Sprintf(", depth=%d", k.Depth)
	}
	return s
}

// sweepView turns finished trainings into Point events (one chart per s_a, a line per r, X = s_b,
// Y = mean benefit over the seeds done so far, Err = its SEM), emitting only what changed.
type mtSweepView struct {
	env     *lab.Env
	vary    mtVarying
	cells   map[string]MultitaskCell
	emitted map[string]lab.Point
}

func newMTSweepView(env *lab.Env, g MultitaskGrid) *mtSweepView {
	return &mtSweepView{env: env, cells: map[string]MultitaskCell{}, emitted: map[string]lab.Point{},
		vary: mtVarying{n: len(g.NTrain) > 1, aux: len(g.NAux) > 1, depth: len(g.Depth) > 1}}
}

func (v *mtSweepView) add(c MultitaskCell) { v.cells[c.Job.Name()] = c }

func (v *mtSweepView) points() []lab.Point {
	cells := make([]MultitaskCell, 0, len(v.cells))
	for _, c := range v.cells {
		cells = append(cells, c)
	}
	rows, _ := MultitaskTable(cells)
	var out []lab.Point
	for _, s := range SummarizeMultitask(rows) {
		out = append(out, lab.Point{Chart: mtChartName(s.mtCellKey, v.vary), Series: "r=" + mtShort(s.R),
			X: s.SB, Y: s.Benefit, Err: s.BenefitSEM, XLabel: "s_b", YLabel: "benefit (nats)"})
	}
	return out
}

// emitChanged emits the points that are new or moved since the last call.
func (v *mtSweepView) emitChanged() {
	for _, p := range v.points() {
		key := fmt.Sprintf("%s|%s|%g", p.Chart, p.Series, p.X)
		if old, ok := v.emitted[key]; ok && old == p {
			continue
		}
		v.emitted[key] = p
		v.env.Emit(p)
	}
}

func (v *mtSweepView) emitAll() { v.emitChanged() }

// benefitFigure draws the summary: a panel per chart (s_a and whichever of n, n_aux, depth vary), a
// line per r, benefit against s_b with SEM error bars; s_b on a log axis when it spans a decade.
func mtBenefitFigure(sums []MultitaskSummary) mtFigure {
	sums = slices.Clone(sums)
	slices.SortFunc(sums, func(a, b MultitaskSummary) int { return mtCmpCell(a.mtCellKey, b.mtCellKey) })
	vals := func(f func(MultitaskSummary) float64) int {
		seen := map[float64]bool{}
		for _, s := range sums {
			seen[f(s)] = true
		}
		return len(seen)
	}
	vary := mtVarying{
		n:     vals(func(s MultitaskSummary) float64 { return float64(s.NTrain) }) > 1,
		aux:   vals(func(s MultitaskSummary) float64 { return float64(s.NAux) }) > 1,
		depth: vals(func(s MultitaskSummary) float64 { return float64(s.Depth) }) > 1,
	}
	panels := map[string]*mtPanel{}
	var order []string
	series := map[string]map[float64]*mtSeries{}
	for _, s := range sums {
		name := mtChartName(s.mtCellKey, vary)
		p, ok := panels[name]
		if !ok {
			p = &mtPanel{Title: name, XLabel: "s_b", YLabel: "benefit (nats), mean ± sem"}
			panels[name] = p
			order = append(order, name)
			series[name] = map[float64]*mtSeries{}
		}
		ser, ok := series[name][s.R]
		if !ok {
			ser = &mtSeries{Label: "r=" + mtShort(s.R)}
			series[name][s.R] = ser
		}
		ser.X = append(ser.X, s.SB)
		ser.Y = append(ser.Y, s.Benefit)
		ser.Err = append(ser.Err, s.BenefitSEM)
	}
	var f mtFigure
	for _, name := range order {
		p := panels[name]
		var rs []float64
		for r := range series[name] {
			rs = append(rs, r)
		}
		slices.Sort(rs)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range rs {
			ser := series[name][r]
			mtSortSeries(ser)
			for _, x := range ser.X {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
			p.Series = append(p.Series, *ser)
		}
		p.LogX = lo > 0 && hi/lo >= 10
		f.Panels = append(f.Panels, *p)
	}
	return f
}

// sortSeries orders a series' points by x.
func mtSortSeries(s *mtSeries) {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return int(mtSign(s.X[a] - s.X[b])) })
	x, y := make([]float64, len(idx)), make([]float64, len(idx))
	var e []float64
	if s.Err != nil {
		e = make([]float64, len(idx))
	}
	for k, i := range idx {
		x[k], y[k] = s.X[i], s.Y[i]
		if e != nil {
			e[k] = s.Err[i]
		}
	}
	s.X, s.Y, s.Err = x, y, e
}
