package experiments

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/logits"
)

// generic turns a value of the result types into the map/slice/float64/string tree that
// Env.SetResults takes (non-finite numbers become the strings "NaN", "+Inf", "-Inf").
func generic(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("unencodable: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprintf("undecodable: %v", err)
	}
	return out
}

// over returns f of each seed's model result.
func (r *logitsRun) over(name string, f func(modelResult) num) []float64 {
	var v []float64
	for _, s := range r.st.meta.Seeds {
		if m, ok := s.Models[name]; ok {
			v = append(v, float64(f(m)))
		}
	}
	return v
}

// evalAttackText describes the evaluation attack for any ε.
func (r *logitsRun) evalAttackText() string {
	a := r.evalAttack(1, 0)
	return fmt.Sprintf("%s (linf, step 2.5·eps/%d, random start, worst case over %d restarts; first %d test samples)",
		a.Name(), r.cfg.EvalSteps, r.cfg.EvalRestarts, len(r.evalY))
}

// modelAgg is the mean and sd over seeds of one model's numbers, and its robust accuracy by ε.
func (r *logitsRun) modelAgg(name string) map[string]any {
	out := map[string]any{}
	for _, f := range []struct {
		key string
		of  func(modelResult) num
	}{
		{"clean_acc", func(m modelResult) num { return m.CleanAcc }},
		{"mean_max_logit", func(m modelResult) num { return m.MeanMax }},
		{"mean_gap", func(m modelResult) num { return m.MeanGap }},
		{"median_max_logit", func(m modelResult) num { return m.MedianMax }},
		{"median_gap", func(m modelResult) num { return m.MedianGap }},
		{"mean_confidence", func(m modelResult) num { return m.MeanConf }},
	} {
		mean, sd := logits.MeanSD(r.over(name, f.of))
		out[f.key], out[f.key+"_sd"] = mean, sd
	}
	byEps, sdEps := map[string]any{}, map[string]any{}
	for _, s := range r.st.meta.Seeds {
		for e := range s.Models[name].RobustAcc {
			if _, done := byEps[e]; done {
				continue
			}
			mean, sd := logits.MeanSD(r.over(name, func(m modelResult) num {
				if v, ok := m.RobustAcc[e]; ok {
					return v
				}
				return num(math.NaN())
			}))
			byEps[e], sdEps[e] = mean, sd
		}
	}
	if len(byEps) > 0 {
		out["robust_acc"] = map[string]any{"attack": r.evalAttackText(), "by_eps": byEps, "sd": sdEps}
	}
	return out
}

// corrAgg returns the mean, sd and per-seed values of one correlation.
func (r *logitsRun) corrAgg(f func(corrResult) num) (mean, sd float64, per []float64) {
	for _, s := range r.st.meta.Seeds {
		per = append(per, float64(f(s.Corr)))
	}
	mean, sd = logits.MeanSD(per)
	return mean, sd, per
}

// results assembles results.json.
func (r *logitsRun) results() map[string]any {
	st, cfg := r.st, r.cfg
	res := map[string]any{
		mStandard: r.modelAgg(mStandard),
		mRobust:   r.modelAgg(mRobust),
		mBaseline: r.modelAgg(mBaseline),
	}
	for _, c := range []struct {
		key string
		of  func(corrResult) num
	}{
		{"spearman_confidence", func(c corrResult) num { return c.SpearmanConf }},
		{"spearman_gap", func(c corrResult) num { return c.SpearmanGap }},
		{"kendall_confidence", func(c corrResult) num { return c.KendallConf }},
		{"spearman_confidence_seed_baseline", func(c corrResult) num { return c.BaselineSpearmanConf }},
		{"spearman_gap_seed_baseline", func(c corrResult) num { return c.BaselineSpearmanGap }},
		{"kendall_confidence_seed_baseline", func(c corrResult) num { return c.BaselineKendallConf }},
	} {
		mean, sd, per := r.corrAgg(c.of)
		res[c.key], res[c.key+"_sd"], res[c.key+"_per_seed"] = mean, sd, per
	}
	res["eps_sweep"] = generic(r.epsSweep())
	allPass := true
	masking := map[string]any{}
	for _, name := range []string{mStandard, mRobust} {
		var per []any
		for _, s := range st.meta.Seeds {
			if rep := s.Models[name].Masking; rep != nil {
				allPass = allPass && rep.Pass
				per = append(per, map[string]any{"seed": s.Seed, "eps": rep.Eps, "pass": rep.Pass,
					"checks": generic(rep.Checks), "acc": generic(rep.Acc)})
			}
		}
		masking[name] = per
	}
	masking["all_pass"] = allPass
	res["masking_checks"] = masking
	res["seeds"] = generic(st.meta.Seeds)
	if g := st.meta.Gallery; g != nil {
		res["gallery_png"] = g.Path
		res["gallery"] = generic(g.Items)
	}
	res["tracking"] = generic(st.meta.Track)
	train := attacks.TrainParams{Method: attacks.Method(cfg.Method), Eps: st.meta.Eps, Steps: st.meta.AttackSteps,
		StepSize: cfg.AttackStep, Beta: st.meta.Beta}.WithDefaults()
	res["method"], res["train_eps"], res["train_attack_steps"] = cfg.Method, st.meta.Eps, train.Steps
	if cfg.Method == string(attacks.MethodTRADES) {
		res["beta"] = st.meta.Beta
	}
	res["eval_attack"] = r.evalAttackText()
	res["eval_samples"] = len(r.evalY)
	res["epochs"], res["batch"], res["lr"] = cfg.Epochs, cfg.Batch, st.meta.BaseLR
	res["steps"] = int64(len(r.jobs)) * st.total
	res["wall_seconds"] = st.meta.WallSeconds
	res["data"], res["model"], res["blas"] = r.origin, cfg.Model, r.blas
	res["preset"] = cfg.Preset
	if len(r.presetChanged) > 0 {
		res["preset_applied"] = generic(r.presetChanged)
	}
	return res
}

// epsSweepEntry is one point of the ε sweep: a model trained at Eps (0: the standard model).
type epsSweepEntry struct {
	Eps       float64 `json:"eps"`
	Model     string  `json:"model"`
	CleanAcc  num     `json:"clean_acc"`
	RobustAcc *num    `json:"robust_acc,omitempty"` // under the evaluation attack at Eps
	MeanMax   num     `json:"mean_max_logit"`
	MeanGap   num     `json:"mean_gap"`
	MedianMax num     `json:"median_max_logit"`
	MedianGap num     `json:"median_gap"`
}

// epsSweep lists the first seed's standard (ε = 0) and robust model with the sweep's models,
// sorted by ε.
func (r *logitsRun) epsSweep() []epsSweepEntry {
	var out []epsSweepEntry
	if len(r.st.meta.Seeds) > 0 {
		s := r.st.meta.Seeds[0]
		std, rob := s.Models[mStandard], s.Models[mRobust]
		ra := rob.RobustAcc[fmtEps(s.Eps)]
		out = append(out,
			epsSweepEntry{Eps: 0, Model: mStandard, CleanAcc: std.CleanAcc, MeanMax: std.MeanMax, MeanGap: std.MeanGap,
				MedianMax: std.MedianMax, MedianGap: std.MedianGap},
			epsSweepEntry{Eps: s.Eps, Model: mRobust, CleanAcc: rob.CleanAcc, RobustAcc: &ra, MeanMax: rob.MeanMax,
				MeanGap: rob.MeanGap, MedianMax: rob.MedianMax, MedianGap: rob.MedianGap})
	}
	for _, w := range r.st.meta.Sweep {
		ra := w.RobustAcc
		out = append(out, epsSweepEntry{Eps: w.Eps, Model: mRobust, CleanAcc: w.CleanAcc, RobustAcc: &ra, MeanMax: w.MeanMax,
			MeanGap: w.MeanGap, MedianMax: w.MedianMax, MedianGap: w.MedianGap})
	}
	slices.SortStableFunc(out, func(a, b epsSweepEntry) int { return cmp.Compare(a.Eps, b.Eps) })
	return out
}

// pm formats mean ± sd.
func pm(v []float64, digits int) string { return pmOr(v, digits, "–") }

// pmOr formats the mean ± sd of v ("mean" alone for one value, none for no values).
func pmOr(v []float64, digits int, none string) string {
	if len(v) == 0 {
		return none
	}
	m, sd := logits.MeanSD(v)
	if len(v) == 1 {
		return fmt.Sprintf("%.*f", digits, m)
	}
	return fmt.Sprintf("%.*f ± %.*f", digits, m, digits, sd)
}

// emitTables emits the summary tables as they stand.
func (r *logitsRun) emitTables() {
	st := r.st
	n := len(st.meta.Seeds)
	eps := st.meta.Eps
	atk := r.evalAttack(eps, 0).Name()
	var rows [][]string
	for _, name := range []string{mStandard, mRobust, mBaseline} {
		rob := "–"
		if name != mBaseline {
			rob = pm(r.over(name, func(m modelResult) num { return m.RobustAcc[fmtEps(eps)] }), 3)
		}
		rows = append(rows, []string{name, pm(r.over(name, func(m modelResult) num { return m.CleanAcc }), 3), rob,
			pm(r.over(name, func(m modelResult) num { return m.MeanMax }), 2),
			pm(r.over(name, func(m modelResult) num { return m.MeanGap }), 2),
			pm(r.over(name, func(m modelResult) num { return m.MedianMax }), 2),
			pm(r.over(name, func(m modelResult) num { return m.MedianGap }), 2)})
	}
	if n > 0 {
		r.env.Emit(lab.Table{Name: "logits: models", Step: st.step(),
			Columns: []string{"model", "clean acc", fmt.Sprintf("%s @ eps %g", atk, eps), "mean M", "mean G", "median M", "median G"},
			Rows:    rows, Note: fmt.Sprintf("mean ± sd over %d seed(s); robust accuracy on %d test samples", n, len(r.evalY))})
		var crows [][]string
		for _, c := range []struct {
			name     string
			of, base func(corrResult) num
		}{
			{"spearman confidence", func(c corrResult) num { return c.SpearmanConf }, func(c corrResult) num { return c.BaselineSpearmanConf }},
			{"spearman gap", func(c corrResult) num { return c.SpearmanGap }, func(c corrResult) num { return c.BaselineSpearmanGap }},
			{"kendall confidence", func(c corrResult) num { return c.KendallConf }, func(c corrResult) num { return c.BaselineKendallConf }},
		} {
			_, _, a := r.corrAgg(c.of)
			_, _, b := r.corrAgg(c.base)
			crows = append(crows, []string{c.name, pm(a, 3), pm(b, 3)})
		}
		r.env.Emit(lab.Table{Name: "logits: rank correlations", Step: st.step(),
			Columns: []string{"statistic", "standard vs robust", "standard vs standard (other init seed)"},
			Rows:    crows, Note: "per-sample confidence (by log-odds) and gap on the whole test set"})
		var mrows [][]string
		for _, s := range st.meta.Seeds {
			for _, name := range []string{mStandard, mRobust} {
				if rep := s.Models[name].Masking; rep != nil {
					for _, c := range rep.Checks {
						pass := "pass"
						if !c.Pass {
							pass = "FAIL"
						}
						mrows = append(mrows, []string{fmt.Sprint(s.Seed), name, c.Name, pass, c.Detail})
					}
				}
			}
		}
		r.env.Emit(lab.Table{Name: "logits: masking checks", Step: st.step(),
			Columns: []string{"seed", "model", "check", "result", "detail"}, Rows: mrows,
			Note: fmt.Sprintf("at the training eps %g", eps)})
	}
	if sw := r.epsSweep(); len(sw) > 2 {
		var srows [][]string
		for _, e := range sw {
			ra := "–"
			if e.RobustAcc != nil {
				ra = fmt.Sprintf("%.3f", float64(*e.RobustAcc))
			}
			srows = append(srows, []string{fmtEps(e.Eps), e.Model, fmt.Sprintf("%.3f", float64(e.CleanAcc)), ra,
				fmt.Sprintf("%.2f", float64(e.MeanMax)), fmt.Sprintf("%.2f", float64(e.MeanGap))})
		}
		r.env.Emit(lab.Table{Name: "logits: eps sweep", Step: st.step(),
			Columns: []string{"train eps", "model", "clean acc", "robust acc @ own eps", "mean M", "mean G"}, Rows: srows,
			Note: "first seed; eps 0 is the standard model"})
	}
}
