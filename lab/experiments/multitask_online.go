package experiments

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/fsutil"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/theory"
)

// OnlinePlan is what the theory mode computes: ODE learning curves of the single-task and the
// multitask student for every r (at the first s_a and s_b), one-pass SGD simulations of the same
// settings at each d, and the benefit at the last α for every (s_a, s_b, r).
type MultitaskOnlinePlan struct {
	Base    theory.OnlineSetting // R, SA, SB, AuxRatio are set per curve
	SA, SB  []float64
	R       []float64
	D       []int
	Seeds   int
	Alpha   float64
	Every   float64
	DAlpha  float64
	Samples int
	Seed    uint64
	Workers int
}

// OnlinePlanFromConfig reads the theory-mode settings.
func MultitaskOnlinePlanFromConfig(c config.MultitaskConfig) (MultitaskOnlinePlan, error) {
	p := MultitaskOnlinePlan{Base: theory.OnlineSetting{Rank: c.Rank, Classes: c.Classes, Width: c.TheoryWidth,
		Noise: c.NoiseScale * math.Sqrt(1/float64(c.D)), ExpValues: c.ExpValues, LR: c.TheoryLR, HeadLR: c.TheoryHeadLR,
		AuxRatio: c.TheoryAux, Q0: 1, Seed: uint64(c.Seed), SA: 1, SB: 1},
		Seeds: c.TheorySeeds, Alpha: c.TheoryAlpha, Every: c.TheoryEvery, DAlpha: c.TheoryDAlpha, Samples: c.TheorySamples,
		Seed: uint64(c.Seed), Workers: c.Workers}
	var err error
	if p.SA, err = mtParseFloatsKeep("multitask.theory_s_a", c.TheorySA, 0, 1e3, true); err != nil {
		return p, err
	}
	if p.SB, err = mtParseFloatsKeep("multitask.theory_s_b", c.TheorySB, 0, 1e3, true); err != nil {
		return p, err
	}
	if p.R, err = mtParseFloats("multitask.r", c.R, 0, 1, false); err != nil {
		return p, err
	}
	if p.D, err = mtParseInts("multitask.theory_d", c.TheoryD, 2); err != nil {
		return p, err
	}
	if p.Every < p.DAlpha {
		return p, fmt.Errorf("multitask.theory_every = %g is below theory_dalpha = %g: record at most once per ODE step", p.Every, p.DAlpha)
	}
	for _, d := range p.D {
		if d < p.Base.Width || d < 2*p.Base.Rank {
			return p, fmt.Errorf("multitask.theory_d: d = %d must be at least theory_width (%d) and 2·rank (%d)", d, p.Base.Width, 2*p.Base.Rank)
		}
	}
	s := p.Base
	s.SA, s.SB = p.SA[0], p.SB[0]
	if err := s.Validate(); err != nil {
		return p, err
	}
	if p.Workers <= 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	return p, nil
}

// parseFloatsKeep is parseFloats without sorting: the first value is the one the curves use.
func mtParseFloatsKeep(name, s string, lo, hi float64, openLo bool) ([]float64, error) {
	var out []float64
	seen := map[float64]bool{}
	for _, f := range mtSplitList(s) {
		v, err := mtParseFloats(name, f, lo, hi, openLo)
		if err != nil {
			return nil, err
		}
		if !seen[v[0]] {
			seen[v[0]] = true
			out = append(out, v[0])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty: give at least one value", name)
	}
	return out, nil
}

// OnlineCurve is a learning curve of task 1: the theory's, or the simulations' mean and SEM over
// seeds (with the per-seed values, to pair single and multitask runs of one seed).
type MultitaskCurve struct {
	Alpha, CE, SEM, Acc []float64
	PerSeed             [][]float64 // [seed][point] CE; nil for the theory
}

func (p MultitaskOnlinePlan) setting(sa, sb, r float64, multi bool) theory.OnlineSetting {
	s := p.Base
	s.SA, s.SB, s.R = sa, sb, r
	if !multi {
		s.AuxRatio = 0
	}
	return s
}

// Theory integrates the ODEs of one setting.
func (p MultitaskOnlinePlan) Theory(ctx context.Context, s theory.OnlineSetting) (MultitaskCurve, error) {
	th, err := theory.NewTheory(s, p.Samples, p.Samples, p.Seed, p.Workers)
	if err != nil {
		return MultitaskCurve{}, err
	}
	pts, err := th.Integrate(ctx, p.Alpha, p.DAlpha, p.Every)
	if err != nil {
		return MultitaskCurve{}, err
	}
	var c MultitaskCurve
	for _, pt := range pts {
		c.Alpha, c.CE, c.Acc, c.SEM = append(c.Alpha, pt.Alpha), append(c.CE, pt.CE), append(c.Acc, pt.Acc), append(c.SEM, 0)
	}
	return c, nil
}

// Simulate runs Seeds one-pass SGD simulations of one setting at dimension d, in parallel.
func (p MultitaskOnlinePlan) Simulate(ctx context.Context, s theory.OnlineSetting, d int) (MultitaskCurve, error) {
	th, err := theory.NewTheory(s, 100, p.Samples, p.Seed, 1)
	if err != nil {
		return MultitaskCurve{}, err
	}
	runs := make([][]theory.CurvePoint, p.Seeds)
	errs := make([]error, p.Seeds)
	sem := make(chan struct{}, p.Workers)
	var wg sync.WaitGroup
	for i := 0; i < p.Seeds; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			runs[i], errs[i] = th.Simulate(ctx, theory.SimParams{D: d, AlphaMax: p.Alpha, Every: p.Every, Seed: p.Seed*1000 + uint64(i) + 1})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return MultitaskCurve{}, err
		}
	}
	var c MultitaskCurve
	for k := range runs[0] {
		ces, accs := make([]float64, p.Seeds), make([]float64, p.Seeds)
		for i := range runs {
			ces[i], accs[i] = runs[i][k].CE, runs[i][k].Acc
		}
		m, e := mtMeanSEM(ces)
		a, _ := mtMeanSEM(accs)
		c.Alpha, c.CE, c.SEM, c.Acc = append(c.Alpha, runs[0][k].Alpha), append(c.CE, m), append(c.SEM, e), append(c.Acc, a)
	}
	c.PerSeed = make([][]float64, p.Seeds)
	for i := range runs {
		for _, pt := range runs[i] {
			c.PerSeed[i] = append(c.PerSeed[i], pt.CE)
		}
	}
	return c, nil
}

// MaxDeviation returns the largest |theory − simulation| along the curve, in nats and in units of
// the simulation's SEM.
func MultitaskMaxDeviation(th, sim MultitaskCurve) (nats, sems float64) {
	for i := range th.CE {
		if i >= len(sim.CE) {
			break
		}
		d := math.Abs(th.CE[i] - sim.CE[i])
		nats = math.Max(nats, d)
		if sim.SEM[i] > 0 {
			sems = math.Max(sems, d/sim.SEM[i])
		}
	}
	return nats, sems
}

// runOnline is the theory mode.
func mtRunOnline(ctx context.Context, env *lab.Env) error {
	plan, err := MultitaskOnlinePlanFromConfig(env.Config().Multitask)
	if err != nil {
		return err
	}
	began := time.Now()
	sa0, sb0 := plan.SA[0], plan.SB[0]
	// Steps: each distinct ODE integration (a single-task one per s_a, a multitask one per (s_a, s_b,
	// r)) and each set of simulations (single and per r, at each d).
	total := int64(len(plan.SA)*(1+len(plan.SB)*len(plan.R)) + len(plan.D)*(1+len(plan.R)))
	st := &mtProgress{name: "multitask (theory mode)"}
	step := func(what string) error {
		st.done++
		env.Emit(lab.Progress{Step: st.done, TotalSteps: total, Elapsed: time.Since(began).Seconds()})
		env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("%d/%d %s (%.0fs)", st.done, total, what, time.Since(began).Seconds())})
		return env.Between(ctx, st.done, st)
	}
	env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("online theory: rank %d, %d classes, width %d, σ = %.4g, η = %g, η_V = %g, "+
		"%d task-2 samples per task-1 sample, α ≤ %g, %d Monte Carlo samples; simulations at d = %v, %d seeds each",
		plan.Base.Rank, plan.Base.Classes, plan.Base.Width, plan.Base.Noise, plan.Base.LR, plan.Base.HeadLR,
		int(plan.Base.AuxRatio), plan.Alpha, plan.Samples, plan.D, plan.Seeds)})
	env.Emit(lab.Progress{Step: 0, TotalSteps: total})

	type key struct {
		sa, sb, r float64
		multi     bool
	}
	theoryCurves := map[key]MultitaskCurve{}
	getTheory := func(k key) (MultitaskCurve, error) {
		if c, ok := theoryCurves[k]; ok {
			return c, nil
		}
		sb := k.sb
		if !k.multi {
			sb = sb0 // unused by a single-task student; any valid strength
		}
		c, err := plan.Theory(ctx, plan.setting(k.sa, sb, k.r, k.multi))
		if err != nil {
			return c, err
		}
		theoryCurves[k] = c
		desc := fmt.Sprintf("theory single s_a=%g", k.sa)
		if k.multi {
			desc = fmt.Sprintf("theory multitask s_a=%g s_b=%g r=%g", k.sa, k.sb, k.r)
		}
		return c, step(desc)
	}
	var out mtOnlineOutputs
	single, err := getTheory(key{sa0, 0, 0, false})
	if err != nil {
		return err
	}
	out.addCurve("theory", 0, -1, single)
	mtEmitCurve(env, "online: task-1 test CE vs α, single task", "theory", single)
	mtEmitAcc(env, "theory single", single)
	for _, r := range plan.R {
		c, err := getTheory(key{sa0, sb0, r, true})
		if err != nil {
			return err
		}
		out.addCurve("theory", 0, r, c)
		mtEmitCurve(env, fmt.Sprintf("online: task-1 test CE vs α, multitask r=%s", mtShort(r)), "theory", c)
		mtEmitBenefit(env, "online: benefit vs α", "theory r="+mtShort(r), single, c)
		mtEmitAcc(env, "theory r="+mtShort(r), c)
	}
	// Simulations of the same settings.
	results := map[string]any{}
	for _, d := range plan.D {
		simSingle, err := plan.Simulate(ctx, plan.setting(sa0, sb0, 0, false), d)
		if err != nil {
			return err
		}
		if err := step(fmt.Sprintf("simulation single d=%d", d)); err != nil {
			return err
		}
		out.addCurve("simulation", d, -1, simSingle)
		series := fmt.Sprintf("simulation d=%d", d)
		mtEmitCurve(env, "online: task-1 test CE vs α, single task", series, simSingle)
		mtEmitAcc(env, fmt.Sprintf("simulation single d=%d", d), simSingle)
		n, s := MultitaskMaxDeviation(single, simSingle)
		results[fmt.Sprintf("max |theory-sim| single d=%d", d)] = n
		results[fmt.Sprintf("max |theory-sim|/sem single d=%d", d)] = s
		for _, r := range plan.R {
			sim, err := plan.Simulate(ctx, plan.setting(sa0, sb0, r, true), d)
			if err != nil {
				return err
			}
			if err := step(fmt.Sprintf("simulation multitask r=%g d=%d", r, d)); err != nil {
				return err
			}
			out.addCurve("simulation", d, r, sim)
			mtEmitCurve(env, fmt.Sprintf("online: task-1 test CE vs α, multitask r=%s", mtShort(r)), series, sim)
			b := mtPairedBenefit(simSingle, sim)
			out.addBenefit("simulation", d, r, b)
			thb := mtBenefitCurve(single, theoryCurves[key{sa0, sb0, r, true}])
			n, s = MultitaskMaxDeviation(thb, b)
			results[fmt.Sprintf("max |theory-sim| benefit r=%g d=%d", r, d)] = n
			results[fmt.Sprintf("max |theory-sim|/sem benefit r=%g d=%d", r, d)] = s
			mtEmitCurve(env, "online: benefit vs α", fmt.Sprintf("simulation r=%s d=%d", mtShort(r), d), b)
			mtEmitAcc(env, fmt.Sprintf("simulation r=%s d=%d", mtShort(r), d), sim)
			n, s = MultitaskMaxDeviation(theoryCurves[key{sa0, sb0, r, true}], sim)
			results[fmt.Sprintf("max |theory-sim| multitask r=%g d=%d", r, d)] = n
			results[fmt.Sprintf("max |theory-sim|/sem multitask r=%g d=%d", r, d)] = s
		}
	}
	// The benefit at the last α against s_b (a chart per s_a, a line per r).
	last := len(single.CE) - 1
	for _, sa := range plan.SA {
		base, err := getTheory(key{sa, 0, 0, false})
		if err != nil {
			return err
		}
		for _, r := range plan.R {
			for _, sb := range plan.SB {
				c, err := getTheory(key{sa, sb, r, true})
				if err != nil {
					return err
				}
				b := base.CE[last] - c.CE[last]
				out.sweep = append(out.sweep, [4]float64{sa, sb, r, b})
				env.Emit(lab.Point{Chart: fmt.Sprintf("online: benefit at α=%g vs s_b, s_a=%s", plan.Alpha, mtShort(sa)),
					Series: "theory r=" + mtShort(r), X: sb, Y: b, XLabel: "s_b", YLabel: "benefit (nats)"})
				env.Emit(lab.Point{Chart: fmt.Sprintf("online: benefit at α=%g vs r, s_a=%s", plan.Alpha, mtShort(sa)),
					Series: "theory s_b=" + mtShort(sb), X: r, Y: b, XLabel: "r", YLabel: "benefit (nats)"})
				results[fmt.Sprintf("theory benefit α=%g s_a=%g s_b=%g r=%g", plan.Alpha, sa, sb, r)] = b
			}
		}
	}
	if err := out.write(env.Dir(), plan); err != nil {
		return err
	}
	results["curves_csv"] = filepath.Join(env.Dir(), "online_curves.csv")
	results["figure_png"] = filepath.Join(env.Dir(), "online_theory.png")
	results["wall_seconds"] = time.Since(began).Seconds()
	return env.SetResults(results)
}

// mtBenefitCurve is the theory's benefit single − multi along α.
func mtBenefitCurve(single, multi MultitaskCurve) MultitaskCurve {
	c := MultitaskCurve{Alpha: multi.Alpha, CE: make([]float64, len(multi.CE)), SEM: make([]float64, len(multi.CE))}
	for i := range multi.CE {
		c.CE[i] = single.CE[i] - multi.CE[i]
	}
	return c
}

// pairedBenefit is the per-seed benefit single − multi (same seed, same teachers and initial
// student), averaged with its SEM.
func mtPairedBenefit(single, multi MultitaskCurve) MultitaskCurve {
	var c MultitaskCurve
	for k := range multi.Alpha {
		diffs := make([]float64, len(multi.PerSeed))
		for i := range multi.PerSeed {
			diffs[i] = single.PerSeed[i][k] - multi.PerSeed[i][k]
		}
		m, e := mtMeanSEM(diffs)
		c.Alpha, c.CE, c.SEM = append(c.Alpha, multi.Alpha[k]), append(c.CE, m), append(c.SEM, e)
	}
	return c
}

func mtEmitCurve(env *lab.Env, chart, series string, c MultitaskCurve) {
	for i := range c.Alpha {
		env.Emit(lab.Point{Chart: chart, Series: series, X: c.Alpha[i], Y: c.CE[i], Err: c.SEM[i], XLabel: "α", YLabel: "nats"})
	}
}

// mtEmitAcc draws a curve's task-1 test accuracy.
func mtEmitAcc(env *lab.Env, series string, c MultitaskCurve) {
	for i := range c.Alpha {
		env.Emit(lab.Point{Chart: "online: task-1 test accuracy vs α", Series: series, X: c.Alpha[i], Y: c.Acc[i], XLabel: "α", YLabel: "accuracy"})
	}
}

func mtEmitBenefit(env *lab.Env, chart, series string, single, multi MultitaskCurve) {
	for i := range multi.Alpha {
		env.Emit(lab.Point{Chart: chart, Series: series, X: multi.Alpha[i], Y: single.CE[i] - multi.CE[i], XLabel: "α", YLabel: "benefit (nats)"})
	}
}

// onlineOutputs collects the curves for the CSV and the figure.
type mtOnlineOutputs struct {
	curves   []mtOnlineRec
	benefits []mtOnlineRec
	sweep    [][4]float64 // s_a, s_b, r, benefit at the last α
}

type mtOnlineRec struct {
	kind string
	d    int
	r    float64 // −1: single task
	c    MultitaskCurve
}

func (o *mtOnlineOutputs) addCurve(kind string, d int, r float64, c MultitaskCurve) {
	o.curves = append(o.curves, mtOnlineRec{kind, d, r, c})
}

func (o *mtOnlineOutputs) addBenefit(kind string, d int, r float64, c MultitaskCurve) {
	o.benefits = append(o.benefits, mtOnlineRec{kind, d, r, c})
}

func (o *mtOnlineOutputs) write(dir string, plan MultitaskOnlinePlan) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"source", "d", "task", "r", "alpha", "ce", "ce_sem", "acc"})
	for _, rec := range o.curves {
		task, r := "single", ""
		if rec.r >= 0 {
			task, r = "multitask", mtFmt(rec.r)
		}
		d := ""
		if rec.d > 0 {
			d = strconv.Itoa(rec.d)
		}
		for i := range rec.c.Alpha {
			_ = w.Write([]string{rec.kind, d, task, r, mtFmt(rec.c.Alpha[i]), mtFmt(rec.c.CE[i]), mtFmt(rec.c.SEM[i]), mtFmt(rec.c.Acc[i])})
		}
	}
	for _, rec := range o.benefits {
		for i := range rec.c.Alpha {
			_ = w.Write([]string{rec.kind, strconv.Itoa(rec.d), "benefit", mtFmt(rec.r), mtFmt(rec.c.Alpha[i]), mtFmt(rec.c.CE[i]),
				mtFmt(rec.c.SEM[i]), ""})
		}
	}
	w.Flush()
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "online_curves.csv"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("multitask: %w", err)
	}
	png, err := o.mtFigure(plan).PNG()
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "online_theory.png"), png, 0o644); err != nil {
		return fmt.Errorf("multitask: %w", err)
	}
	return nil
}

// figure: test CE vs α (single, then each r: theory line, simulations with error bars), the
// benefit vs α, and the benefit at the last α vs s_b.
func (o *mtOnlineOutputs) mtFigure(plan MultitaskOnlinePlan) mtFigure {
	var f mtFigure
	panelFor := func(r float64) *mtPanel {
		title := "single task: test ce vs α"
		if r >= 0 {
			title = "multitask r=" + mtShort(r) + ": test ce vs α"
		}
		for i := range f.Panels {
			if f.Panels[i].Title == title {
				return &f.Panels[i]
			}
		}
		f.Panels = append(f.Panels, mtPanel{Title: title, XLabel: "α = samples/d", YLabel: "nats"})
		return &f.Panels[len(f.Panels)-1]
	}
	for _, rec := range o.curves {
		p := panelFor(rec.r)
		label := "theory"
		s := mtSeries{X: rec.c.Alpha, Y: rec.c.CE, NoMarkers: true}
		if rec.kind == "simulation" {
			label = fmt.Sprintf("simulation d=%d", rec.d)
			s.Err, s.NoMarkers = rec.c.SEM, false
		}
		s.Label = label
		p.Series = append(p.Series, s)
	}
	bp := mtPanel{Title: "benefit vs α", XLabel: "α = samples/d", YLabel: "nats"}
	var single MultitaskCurve
	for _, rec := range o.curves {
		if rec.kind == "theory" && rec.r < 0 {
			single = rec.c
		}
	}
	for _, rec := range o.curves {
		if rec.kind != "theory" || rec.r < 0 {
			continue
		}
		y := make([]float64, len(rec.c.CE))
		for i := range y {
			y[i] = single.CE[i] - rec.c.CE[i]
		}
		bp.Series = append(bp.Series, mtSeries{Label: "theory r=" + mtShort(rec.r), X: rec.c.Alpha, Y: y, NoMarkers: true})
	}
	dMax := 0
	for _, d := range plan.D {
		dMax = max(dMax, d)
	}
	for _, rec := range o.benefits {
		if rec.d == dMax {
			bp.Series = append(bp.Series, mtSeries{Label: fmt.Sprintf("sim r=%s d=%d", mtShort(rec.r), rec.d),
				X: rec.c.Alpha, Y: rec.c.CE, Err: rec.c.SEM})
		}
	}
	f.Panels = append(f.Panels, bp)
	ap := mtPanel{Title: "test accuracy vs α", XLabel: "α = samples/d", YLabel: "accuracy"}
	for _, rec := range o.curves {
		if rec.kind == "simulation" && rec.d != dMax {
			continue
		}
		label := "theory"
		if rec.kind == "simulation" {
			label = fmt.Sprintf("sim d=%d", rec.d)
		}
		if rec.r >= 0 {
			label += " r=" + mtShort(rec.r)
		} else {
			label += " single"
		}
		ap.Series = append(ap.Series, mtSeries{Label: label, X: rec.c.Alpha, Y: rec.c.Acc, NoMarkers: rec.kind == "theory"})
	}
	f.Panels = append(f.Panels, ap)
	for _, sa := range plan.SA {
		rp := mtPanel{Title: fmt.Sprintf("theory: benefit at α=%g vs r, s_a=%s", plan.Alpha, mtShort(sa)), XLabel: "r", YLabel: "nats"}
		for _, sb := range plan.SB {
			s := mtSeries{Label: "s_b=" + mtShort(sb)}
			for _, e := range o.sweep {
				if e[0] == sa && e[1] == sb {
					s.X, s.Y = append(s.X, e[2]), append(s.Y, e[3])
				}
			}
			mtSortSeries(&s)
			rp.Series = append(rp.Series, s)
		}
		f.Panels = append(f.Panels, rp)
	}
	for _, sa := range plan.SA {
		sp := mtPanel{Title: fmt.Sprintf("theory: benefit at α=%g, s_a=%s", plan.Alpha, mtShort(sa)), XLabel: "s_b", YLabel: "nats"}
		for _, r := range plan.R {
			s := mtSeries{Label: "r=" + mtShort(r)}
			for _, e := range o.sweep {
				if e[0] == sa && e[2] == r {
					s.X, s.Y = append(s.X, e[1]), append(s.Y, e[3])
				}
			}
			mtSortSeries(&s)
			sp.Series = append(sp.Series, s)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, sb := range plan.SB {
			lo, hi = math.Min(lo, sb), math.Max(hi, sb)
		}
		sp.LogX = hi/lo >= 10
		f.Panels = append(f.Panels, sp)
	}
	return f
}
