package experiments

import (
	"fmt"
	"math"

	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/logits"
)

// distillGroup is the finished students of one variant at one temperature, in seed order.
type distillGroup struct {
	label string
	job   studentJob // the first seed's job (variant and T)
	seeds []int64
	res   []studentResult
}

// groups collects the finished students by variant and temperature, in queue order.
func (r *distillRun) groups() []*distillGroup {
	var out []*distillGroup
	byLabel := map[string]*distillGroup{}
	for _, j := range r.jobs {
		label := j.group(r.st.manyT)
		g, ok := byLabel[label]
		if !ok {
			g = &distillGroup{label: label, job: j}
			byLabel[label] = g
			out = append(out, g)
		}
		if res, done := r.st.meta.Done[j.key()]; done {
			g.seeds = append(g.seeds, j.Seed)
			g.res = append(g.res, res)
		}
	}
	return out
}

// values returns one number of each of the group's seeds.
func (g *distillGroup) values(f func(studentResult) num) []float64 {
	v := make([]float64, len(g.res))
	for i, r := range g.res {
		v[i] = float64(f(r))
	}
	return v
}

// stat returns the mean and sd over the group's seeds of one number (NaN for none yet).
func (g *distillGroup) stat(f func(studentResult) num) (mean, sd float64) {
	if len(g.res) == 0 {
		return math.NaN(), math.NaN()
	}
	return logits.MeanSD(g.values(f))
}

func cleanOf(r studentResult) num  { return r.CleanAcc }
func robustOf(r studentResult) num { return r.RobustAcc }
func klOf(r studentResult) num     { return r.KL }
func rankOf(r studentResult) num   { return r.RankAgreement }
func maxOf(r studentResult) num    { return r.MeanMax }
func gapOf(r studentResult) num    { return r.MeanGap }

// emitResults emits the table, the bar chart and (for a T sweep) the robust-accuracy-vs-T points
// of everything finished so far.
func (r *distillRun) emitResults() {
	st := r.st
	atk := r.attack(0).Name()
	cols := []string{"student", "n", "clean", atk + " @" + fmtEps(r.cfg.Eps), "KL to teacher", "non-max rank agr.", "mean M", "mean G", "masking"}
	var rows [][]string
	bars := lab.Bars{Chart: "distillation: clean and robust accuracy", Step: st.meta.Step, Unit: "accuracy",
		Note: fmt.Sprintf("mean ± sd over %d seeds; robust = %s at eps %g on %d test samples", r.cfg.Seeds, atk, r.cfg.Eps, len(r.evalY))}
	clean := lab.BarSeries{Label: "clean"}
	robust := lab.BarSeries{Label: "robust"}
	for _, name := range teacherNames() {
		t := st.meta.Teachers[name]
		if t == nil {
			continue
		}
		mask := "pass"
		if !t.MaskingPass {
			mask = "FAIL"
		}
		rows = append(rows, []string{"teacher " + name, "1", fmt.Sprintf("%.3f", t.CleanAcc), fmt.Sprintf("%.3f", t.RobustAcc), "", "",
			fmt.Sprintf("%.2f", t.MeanMax), fmt.Sprintf("%.2f", t.MeanGap), mask})
		bars.Groups = append(bars.Groups, "teacher "+name)
		clean.Values, clean.Err = append(clean.Values, float64(t.CleanAcc)), append(clean.Err, 0)
		robust.Values, robust.Err = append(robust.Values, float64(t.RobustAcc)), append(robust.Err, 0)
	}
	for _, g := range r.groups() {
		n := len(g.res)
		cm, cs := g.stat(cleanOf)
		rm, rs := g.stat(robustOf)
		mm, _ := g.stat(maxOf)
		gm, _ := g.stat(gapOf)
		mask := "…"
		if n > 0 {
			mask = "pass"
			for _, res := range g.res {
				if !res.MaskingPass {
					mask = "FAIL"
				}
			}
		}
		meanOnly := func(m float64) string { // M and G: the mean alone
			if n == 0 {
				return "…"
			}
			return fmt.Sprintf("%.2f", m)
		}
		rows = append(rows, []string{g.label, fmt.Sprint(n), pmOr(g.values(cleanOf), 3, "…"), pmOr(g.values(robustOf), 3, "…"),
			pmOr(g.values(klOf), 4, "…"), pmOr(g.values(rankOf), 2, "…"), meanOnly(mm), meanOnly(gm), mask})
		bars.Groups = append(bars.Groups, g.label)
		clean.Values, clean.Err = append(clean.Values, cm), append(clean.Err, cs)
		robust.Values, robust.Err = append(robust.Values, rm), append(robust.Err, rs)
		if st.manyT && g.job.Variant.Teacher != "" && n > 0 {
			r.env.Emit(lab.Point{Chart: "student robust accuracy vs T", Series: g.job.Variant.Name, X: g.job.T, Y: rm, Err: sdOrZero(rs),
				XLabel: "temperature T", YLabel: atk + " accuracy"})
		}
	}
	bars.Series = []lab.BarSeries{clean, robust}
	r.env.Emit(bars)
	r.env.Emit(lab.Table{Name: "distillation students", Step: st.meta.Step, Columns: cols, Rows: rows,
		Note: fmt.Sprintf("mean ± sd over seeds; KL and rank agreement against the unmanipulated teacher (hard: the robust teacher) at T; alpha %g", r.cfg.Alpha)})
}

func sdOrZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// results is results.json: the teachers, then every variant (at every T) with mean and sd over
// seeds and each seed's numbers.
func (r *distillRun) results() map[string]any {
	st := r.st
	atk := r.attack(0)
	variants := map[string]any{}
	var order []string
	for _, g := range r.groups() {
		agg := func(f func(studentResult) num) map[string]any {
			m, s := g.stat(f)
			return map[string]any{"mean": generic(num(m)), "sd": generic(num(s))}
		}
		seeds := make([]any, len(g.res))
		allPass := len(g.res) > 0
		for i, res := range g.res {
			e := generic(res).(map[string]any)
			e["seed"] = g.seeds[i]
			seeds[i] = e
			allPass = allPass && res.MaskingPass
		}
		ra := agg(robustOf)
		ra["attack"] = fmt.Sprintf("%s at eps %g (linf, random start, worst of %d restarts; first %d test samples)", atk.Name(), r.cfg.Eps, r.cfg.EvalRestarts, len(r.evalY))
		teacher, manip := g.job.Variant.Teacher, g.job.Variant.Manip.String()
		if teacher == "" {
			teacher, manip = "none (hard labels)", ""
		}
		v := map[string]any{
			"variant": g.job.Variant.Name, "teacher": teacher, "manipulation": manip,
			"clean_acc": agg(cleanOf), "robust_acc": ra,
			"kl_to_teacher": agg(klOf), "nonmax_rank_agreement": agg(rankOf),
			"mean_max_logit": agg(maxOf), "mean_gap": agg(gapOf),
			"masking_checks_pass": allPass, "seeds": seeds, "n": len(g.res),
		}
		if g.job.Variant.Teacher != "" {
			v["T"] = g.job.T
		}
		variants[g.label] = v
		order = append(order, g.label)
	}
	teachers := map[string]any{}
	for name, t := range st.meta.Teachers {
		teachers[name] = generic(*t)
	}
	res := map[string]any{
		"experiment": "distill", "variants": variants, "variant_order": order, "teachers": teachers,
		"eps": r.cfg.Eps, "alpha": r.cfg.Alpha, "temperatures": r.temps, "epochs": r.cfg.Epochs, "seeds": r.cfg.Seeds,
		"student_arch": r.studentSpec.Arch, "student_hidden": r.studentSpec.WithDefaults().Hidden, "teacher_arch": r.teacherSpec.Arch,
		"data": r.origin, "students": len(r.jobs), "workers": r.workers(), "wall_seconds": st.meta.WallSeconds,
		"abandoned_steps": st.meta.Abandoned, "blas": r.blas,
		"loss": "alpha·T²·KL(softmax(t/T) ‖ softmax(s/T)) summed over classes, mean over the batch, + (1−alpha)·CE; students see clean inputs only",
	}
	if st.meta.TeacherSource != "" {
		res["teacher_run"] = st.meta.TeacherSource
	}
	return res
}
