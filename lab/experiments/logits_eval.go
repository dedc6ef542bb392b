package experiments

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/logits"
)

// modelResult is one model's evaluation at the end of its job.
type modelResult struct {
	CleanAcc  num                  `json:"clean_acc"`            // on the whole test set
	RobustAcc map[string]num       `json:"robust_acc,omitempty"` // by ε (formatted %g), on the eval samples
	Curve     []attacks.CurvePoint `json:"curve,omitempty"`
	Masking   *attacks.Report      `json:"masking,omitempty"`
	MeanMax   num                  `json:"mean_max_logit"`
	MeanGap   num                  `json:"mean_gap"`
	MedianMax num                  `json:"median_max_logit"`
	MedianGap num                  `json:"median_gap"`
	MeanConf  num                  `json:"mean_confidence"`
}

// seedResult is what one seed's job found.
type seedResult struct {
	Seed    int64                  `json:"seed"`
	Eps     float64                `json:"eps"` // the training ε at the end of the job
	Models  map[string]modelResult `json:"models"`
	Corr    corrResult             `json:"correlations"`
	WallEnd float64                `json:"wall_seconds_at_end"`
}

// corrResult holds the rank correlations of per-sample confidence (ordered by log-odds) and gap
// between the standard and the robust model, and between the standard and the baseline model.
type corrResult struct {
	SpearmanConf         num `json:"spearman_confidence"`
	SpearmanGap          num `json:"spearman_gap"`
	KendallConf          num `json:"kendall_confidence"`
	BaselineSpearmanConf num `json:"spearman_confidence_seed_baseline"`
	BaselineSpearmanGap  num `json:"spearman_gap_seed_baseline"`
	BaselineKendallConf  num `json:"kendall_confidence_seed_baseline"`
}

// sweepResult is a model of the ε sweep.
type sweepResult struct {
	Eps       float64 `json:"eps"`
	CleanAcc  num     `json:"clean_acc"`
	RobustAcc num     `json:"robust_acc"` // under the evaluation attack at its own ε
	MeanMax   num     `json:"mean_max_logit"`
	MeanGap   num     `json:"mean_gap"`
	MedianMax num     `json:"median_max_logit"`
	MedianGap num     `json:"median_gap"`
}

// evalAttack is the evaluation PGD at ε, for a job of the given seed.
func (r *logitsRun) evalAttack(eps float64, seed int64) attacks.PGD {
	a := attacks.Madry(eps, r.cfg.EvalSteps, r.cfg.EvalRestarts)
	a.Seed = attackSeed(seed, -1)
	return a
}

// finishJob evaluates a job's models once training is done.
func (r *logitsRun) finishJob(ctx context.Context, job logitsJob) error {
	if job.sweep {
		return r.evaluateSweep(ctx, job)
	}
	return r.evaluateSeed(ctx, job)
}

func summaryOf(s logits.Stats, acc float64) modelResult {
	sum := logits.Summarize(s)
	return modelResult{CleanAcc: num(acc), MeanMax: num(sum.MeanMax), MeanGap: num(sum.MeanGap),
		MedianMax: num(sum.MedianMax), MedianGap: num(sum.MedianGap), MeanConf: num(sum.MeanConf)}
}

// evaluateSeed measures a seed's three models: logit statistics and clean accuracy on the test
// set; for the standard and the robust model the masking checks at the training ε (transfer from
// the baseline for the standard model, from the standard for the robust one) and the robust
// accuracy curve; the rank correlations; and, for the first seed, the gallery.
func (r *logitsRun) evaluateSeed(ctx context.Context, job logitsJob) error {
	st, jm := r.st, r.st.jm
	eps := st.meta.Eps
	res := seedResult{Seed: job.seed, Eps: eps, Models: map[string]modelResult{}}
	stats := map[string]logits.Stats{}
	for _, name := range jm.names {
		s, acc, _, err := r.statsOf(jm.eval[name])
		if err != nil {
			return err
		}
		stats[name] = s
		res.Models[name] = summaryOf(s, acc)
	}
	atk := r.evalAttack(eps, job.seed)
	for _, pair := range [][2]string{{mStandard, mBaseline}, {mRobust, mStandard}} {
		name, source := pair[0], pair[1]
		if err := r.env.Between(ctx, st.step(), st); err != nil {
			return err
		}
		rep, err := attacks.CheckMasking(ctx, jm.eval[name], r.evalX, r.evalY, attacks.CheckParams{
			Attack: atk, Source: jm.eval[source], SourceName: source,
		})
		if err != nil {
			return fmt.Errorf("logits: masking checks of the %s model: %w", name, err)
		}
		curve := make([]attacks.CurvePoint, 0, len(r.curveEps)+1)
		for _, e := range epsWith(r.curveEps, eps) {
			if err := r.env.Between(ctx, st.step(), st); err != nil {
				return err
			}
			acc := rep.Acc[attacks.AccClean]
			if e == eps {
				acc = rep.Acc[atk.Name()]
			} else if e > 0 {
				a := atk
				a.Eps = e
				if acc, _, _, err = attacks.Robust(ctx, jm.eval[name], a, r.evalX, r.evalY); err != nil {
					return fmt.Errorf("logits: robust accuracy of the %s model at eps %g: %w", name, e, err)
				}
			}
			curve = append(curve, attacks.CurvePoint{Eps: e, Acc: acc})
			r.env.Emit(lab.Point{Chart: "robust accuracy vs eps", Series: r.seriesLabel(name, job), X: e, Y: acc,
				XLabel: "eps (L-inf)", YLabel: "accuracy under " + atk.Name()})
		}
		mono := attacks.CheckMonotone(curve, 0.01)
		rep.Checks = append(rep.Checks, mono)
		rep.Pass = rep.Pass && mono.Pass
		mr := res.Models[name]
		mr.Curve, mr.Masking = curve, &rep
		mr.RobustAcc = map[string]num{}
		for _, p := range curve {
			mr.RobustAcc[fmtEps(p.Eps)] = num(p.Acc)
		}
		res.Models[name] = mr
		if !rep.Pass {
			var failed []string
			for _, c := range rep.Checks {
				if !c.Pass {
					failed = append(failed, c.Name+" ("+c.Detail+")")
				}
			}
			r.env.Emit(lab.Message{Level: "warn", Text: fmt.Sprintf("seed %d, %s model: gradient-masking checks failed: %v", job.seed, name, failed)})
		}
	}
	std, rob, base := stats[mStandard], stats[mRobust], stats[mBaseline]
	res.Corr = corrResult{
		SpearmanConf: num(logits.Spearman(std.LogOdds, rob.LogOdds)),
		SpearmanGap:  num(logits.Spearman(std.Gap, rob.Gap)),
		KendallConf:  num(logits.Kendall(std.LogOdds, rob.LogOdds)),

		BaselineSpearmanConf: num(logits.Spearman(std.LogOdds, base.LogOdds)),
		BaselineSpearmanGap:  num(logits.Spearman(std.Gap, base.Gap)),
		BaselineKendallConf:  num(logits.Kendall(std.LogOdds, base.LogOdds)),
	}
	if len(st.meta.Seeds) == 0 && r.cfg.Gallery > 0 {
		g, err := r.gallery(std, rob, job)
		if err != nil {
			return err
		}
		st.meta.Gallery = g
	}
	if len(st.meta.Seeds) == 0 {
		meta := teacherMeta{Spec: jm.nets[mStandard].Spec(), Data: r.cfg.Data, TrainSamples: r.cfg.TrainSamples, FullData: r.cfg.FullData,
			Method: r.cfg.Method, Eps: eps, Seed: job.seed,
			CleanAcc: map[string]float64{mStandard: float64(res.Models[mStandard].CleanAcc), mRobust: float64(res.Models[mRobust].CleanAcc)}}
		if err := saveTeachers(r.env.Dir(), meta, jm.nets); err != nil {
			return fmt.Errorf("logits: %w", err)
		}
	}
	r.wall()
	res.WallEnd = st.meta.WallSeconds
	st.meta.Seeds = append(st.meta.Seeds, res)
	sr, ss := res.Models[mRobust], res.Models[mStandard]
	r.env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf(
		"seed %d done: standard clean %.3f %s@%g %.3f M %.2f G %.2f | robust clean %.3f %s@%g %.3f M %.2f G %.2f | spearman(conf) %.3f vs seed baseline %.3f",
		job.seed, ss.CleanAcc, atk.Name(), eps, ss.RobustAcc[fmtEps(eps)], ss.MeanMax, ss.MeanGap,
		sr.CleanAcc, atk.Name(), eps, sr.RobustAcc[fmtEps(eps)], sr.MeanMax, sr.MeanGap,
		res.Corr.SpearmanConf, res.Corr.BaselineSpearmanConf)})
	r.emitTables()
	return nil
}

// evaluateSweep measures a model of the ε sweep: logit statistics, clean accuracy and accuracy
// under the evaluation attack at its own ε.
func (r *logitsRun) evaluateSweep(ctx context.Context, job logitsJob) error {
	m := r.st.jm.eval[mRobust]
	s, acc, _, err := r.statsOf(m)
	if err != nil {
		return err
	}
	if err := r.env.Between(ctx, r.st.step(), r.st); err != nil {
		return err
	}
	atk := r.evalAttack(job.eps, job.seed)
	rob, _, _, err := attacks.Robust(ctx, m, atk, r.evalX, r.evalY)
	if err != nil {
		return fmt.Errorf("logits: robust accuracy of the eps %g model: %w", job.eps, err)
	}
	sum := logits.Summarize(s)
	r.st.meta.Sweep = append(r.st.meta.Sweep, sweepResult{Eps: job.eps, CleanAcc: num(acc), RobustAcc: num(rob),
		MeanMax: num(sum.MeanMax), MeanGap: num(sum.MeanGap), MedianMax: num(sum.MedianMax), MedianGap: num(sum.MedianGap)})
	r.env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("eps sweep: eps %g model: clean %.3f, %s %.3f, mean M %.2f, mean G %.2f",
		job.eps, acc, atk.Name(), rob, sum.MeanMax, sum.MeanGap)})
	r.emitTables()
	return nil
}

// epsWith returns eps list l with e added (sorted, no duplicates).
func epsWith(l []float64, e float64) []float64 {
	out := append(slices.Clone(l), e)
	slices.Sort(out)
	return slices.Compact(out)
}

// fmtEps formats ε as a results key: "0.1".
func fmtEps(e float64) string { return strconv.FormatFloat(e, 'g', -1, 64) }
