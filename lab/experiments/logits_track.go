package experiments

import (
	"fmt"

	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/logits"
)

// trackPoint is the logit statistics of a job's models at one point of training.
type trackPoint struct {
	Job    int                    `json:"job"`
	Seed   int64                  `json:"seed"`
	Eps    float64                `json:"eps,omitempty"` // a sweep job's ε
	Step   int64                  `json:"step"`          // the run's global step
	Epoch  float64                `json:"epoch"`         // epochs done in the job
	Models map[string]trackModels `json:"models"`
}

// trackModels is one model's test-set statistics at a trackPoint.
type trackModels struct {
	MeanMax   num `json:"mean_max_logit"`
	MeanGap   num `json:"mean_gap"`
	MedianMax num `json:"median_max_logit"`
	MedianGap num `json:"median_gap"`
	TestAcc   num `json:"test_acc"`
	TestLoss  num `json:"test_loss"`
	TrainLoss num `json:"train_loss"` // mean over the steps since the previous point
}

// track computes every model's logit statistics on the test set and emits them: the M and G
// histograms of the standard and the robust model over shared bins, the mean M and G as points
// of a curve over training, and an EpochSummary (the robust model's numbers, the others' in
// Extra).
func (r *logitsRun) track(job logitsJob) error {
	st, jm := r.st, r.st.jm
	epochs := float64(st.meta.Local) / float64(r.stepsPerEpoch)
	tp := trackPoint{Job: st.meta.Job, Seed: job.seed, Step: st.step(), Epoch: epochs, Models: map[string]trackModels{}}
	if job.sweep {
		tp.Eps = job.eps
	}
	stats := map[string]logits.Stats{}
	extra := map[string]float64{}
	for _, name := range jm.names {
		s, acc, loss, err := r.statsOf(jm.eval[name])
		if err != nil {
			return fmt.Errorf("logits: evaluate the %s model at step %d: %w", name, st.step(), err)
		}
		stats[name] = s
		sum := logits.Summarize(s)
		train := float64(st.meta.LossSum[name]) / float64(max(st.meta.LossCount, 1))
		tp.Models[name] = trackModels{MeanMax: num(sum.MeanMax), MeanGap: num(sum.MeanGap), MedianMax: num(sum.MedianMax),
			MedianGap: num(sum.MedianGap), TestAcc: num(acc), TestLoss: num(loss), TrainLoss: num(train)}
		for k, v := range map[string]float64{"test_acc": acc, "test_loss": loss, "train_loss": train,
			"mean_max_logit": sum.MeanMax, "mean_gap": sum.MeanGap} {
			extra[name+"/"+k] = v
		}
		label := r.seriesLabel(name, job)
		r.env.Emit(lab.Point{Chart: "mean max logit during training", Series: label, X: epochs, Y: sum.MeanMax,
			XLabel: "epoch", YLabel: "mean max logit M"})
		r.env.Emit(lab.Point{Chart: "mean logit gap during training", Series: label, X: epochs, Y: sum.MeanGap,
			XLabel: "epoch", YLabel: "mean gap G"})
	}
	shown := []string{mStandard, mRobust}
	if job.sweep {
		shown = []string{mRobust}
	}
	for _, h := range []struct {
		name string
		of   func(logits.Stats) []float64
	}{
		{"max_logit", func(s logits.Stats) []float64 { return s.Max }},
		{"logit_gap", func(s logits.Stats) []float64 { return s.Gap }},
	} {
		var sets [][]float64
		for _, name := range shown {
			sets = append(sets, h.of(stats[name]))
		}
		edges := logits.EdgesFor(histBins, sets...)
		ev := lab.Histogram{Name: h.name, Step: st.step(), Epoch: int(epochs + 0.5), Edges: edges}
		for i, name := range shown {
			ev.Series = append(ev.Series, lab.HistSeries{Label: r.seriesLabel(name, job), Counts: logits.Histogram(edges, sets[i]),
				Mean: logits.Mean(sets[i]), Median: logits.Median(sets[i])})
		}
		r.env.Emit(ev)
	}
	rob := tp.Models[mRobust]
	r.env.Emit(lab.EpochSummary{Step: st.step(), Epoch: int(epochs + 0.5), TrainLoss: float64(rob.TrainLoss),
		TestLoss: float64(rob.TestLoss), TestAcc: float64(rob.TestAcc), Extra: extra})
	st.meta.Track = append(st.meta.Track, tp)
	st.meta.LossSum, st.meta.LossCount = map[string]num{}, 0
	r.wall()
	r.env.Emit(lab.Progress{Step: st.step(), TotalSteps: int64(len(r.jobs)) * st.total, Elapsed: st.meta.WallSeconds})
	return nil
}

// seriesLabel names a model in charts: "standard", "robust", or "robust eps=0.2" in the sweep.
func (r *logitsRun) seriesLabel(name string, job logitsJob) string {
	if job.sweep {
		return fmt.Sprintf("%s eps=%g", name, job.eps)
	}
	if r.cfg.Seeds > 1 {
		return fmt.Sprintf("%s seed %d", name, job.seed)
	}
	return name
}
