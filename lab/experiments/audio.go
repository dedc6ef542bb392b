package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/models"
)

// Audio is paper 3 (Lee et al. 2019, label-efficient audio): a WaveNet encoder with one head per
// supervised task (keyword, speaker, instrument), optionally with self-supervised heads (next
// step, denoise, upsample) and augmentation, at a few labelled clips per class. Every condition is
// trained at every regime with the same paired seeds, and the gain over the single-task baseline
// is reported per seed pair with a 95% confidence interval.
type Audio struct{}

// Name implements lab.Experiment.
func (Audio) Name() string { return "audio" }

// Summary implements lab.Experiment.
func (Audio) Summary() string {
	return "paper 3: WaveNet on raw audio, 3 supervised tasks ± self-supervision and augmentation, few labels per class"
}

// audioUnitResult is one finished training: test accuracy per task.
type audioUnitResult struct {
	Regime int                `json:"regime"`
	Cond   string             `json:"cond"`
	Seed   int                `json:"seed"`
	Acc    map[string]float64 `json:"acc"`
	Wall   float64            `json:"wall_s"`
}

// audioState is what a checkpoint of the audio experiment holds: the finished trainings. A
// resumed run skips them and restarts the unfinished one from its beginning (each training is
// deterministic, so it emits what an uninterrupted run would).
type audioState struct {
	GlobalStep int64             `json:"global_step"`
	Done       []audioUnitResult `json:"done"`
}

// Apply implements lab.Steerable: the audio experiment has no live settings.
func (s *audioState) Apply(name string, _ float64) (float64, error) {
	return 0, fmt.Errorf("audio: %q cannot change during a run (the experiment has no live settings)", name)
}

// Snapshot implements lab.Steerable.
func (s *audioState) Snapshot() (*checkpoint.Snapshot, error) {
	meta, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return &checkpoint.Snapshot{Step: s.GlobalStep, Meta: meta}, nil
}

type audioRun struct {
	totalSteps int64
	began      time.Time
	env        *lab.Env
	plan       *audioPlan
	data       *audioData
	spec       models.WaveNetSpec
	state      *audioState
}

// Run implements lab.Experiment.
func (Audio) Run(ctx context.Context, env *lab.Env) error {
	plan, err := newAudioPlan(env.Config().Audio)
	if err != nil {
		return err
	}
	began := time.Now()
	data, err := loadAudioData(plan)
	if err != nil {
		return err
	}
	spec := plan.spec
	for _, t := range data.tasks {
		spec.Heads = append(spec.Heads, models.HeadSpec{Name: t.Name, Classes: len(t.Classes)})
	}
	if err := spec.Validate(); err != nil {
		return err
	}
	// Every regime must fit every task's smallest class: refuse now, not hours into the run.
	for _, t := range data.tasks {
		for _, reg := range plan.regimes {
			if _, err := t.Labelled(reg, uint64(plan.cfg.Seed)); err != nil {
				return fmt.Errorf("audio.regimes = %q: %w", plan.cfg.Regimes, err)
			}
		}
	}
	r := &audioRun{env: env, plan: plan, data: data, spec: spec, state: &audioState{}}
	if snap := env.ResumeFrom(); snap != nil {
		if err := json.Unmarshal(snap.Meta, r.state); err != nil {
			return fmt.Errorf("audio: restore checkpoint (was it written by another experiment?): %w", err)
		}
	}
	net, _ := models.NewWaveNet(spec, 0)
	env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("data: %s; loaded in %.1fs; unlabelled pool %d clips (%.1f min)",
		data.set.Origin, time.Since(began).Seconds(), len(data.pool), float64(len(data.pool))/60)})
	for k, t := range data.tasks {
		env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("task %s: %d classes, %d train clips, %d test clips (test condition %s)",
			t.Name, len(t.Classes), len(t.Train), len(data.testY[k]), plan.cfg.TestCond)})
	}
	env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("wavenet: %d channels, %d blocks × dilations %v, receptive field %d samples (%.1f ms), %d parameters; window %d samples",
		spec.Channels, spec.Blocks, spec.Dilations, spec.ReceptiveField(), 1000*float64(spec.ReceptiveField())/8000, net.ParamCount(), plan.cfg.Crop)})

	type unit struct {
		regime, seed int
		cond         audioCond
	}
	var units []unit
	for _, reg := range plan.regimes {
		for _, c := range plan.conds {
			for s := 0; s < plan.cfg.Seeds; s++ {
				units = append(units, unit{reg, int(plan.cfg.Seed) + s, c})
			}
		}
	}
	var totalSteps int64
	for _, u := range units {
		n := int64(plan.cfg.Steps)
		if u.cond.Single {
			n *= int64(len(data.tasks))
		}
		if u.cond.Pretrain {
			n += int64(plan.cfg.PretrainSteps)
		}
		totalSteps += n
	}
	r.totalSteps, r.began = totalSteps, began
	done := map[string]audioUnitResult{}
	key := func(reg int, cond string, seed int) string { return fmt.Sprintf("%d/%s/%d", reg, cond, seed) }
	for _, u := range r.state.Done {
		done[key(u.Regime, u.Cond, u.Seed)] = u
	}
	agg := newAudioAgg(plan, data)
	for _, u := range r.state.Done {
		agg.add(u)
	}
	agg.emit(env)
	for _, u := range units {
		if _, ok := done[key(u.regime, u.cond.Name, u.seed)]; ok {
			continue
		}
		res := audioUnitResult{Regime: u.regime, Cond: u.cond.Name, Seed: u.seed, Acc: map[string]float64{}}
		t0 := time.Now()
		groups := [][]int{}
		if u.cond.Single {
			for k := range data.tasks {
				groups = append(groups, []int{k})
			}
		} else {
			all := make([]int, len(data.tasks))
			for k := range all {
				all[k] = k
			}
			groups = append(groups, all)
		}
		for _, g := range groups {
			accs, err := r.trainUnit(ctx, u.cond, u.regime, u.seed, g)
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, lab.ErrStopRequested) {
					if serr := saveAudio(env, r.state); serr != nil {
						return serr
					}
				}
				return err
			}
			for j, k := range g {
				res.Acc[data.tasks[k].Name] = accs[j]
			}
		}
		res.Wall = time.Since(t0).Seconds()
		r.state.Done = append(r.state.Done, res)
		agg.add(res)
		agg.emit(env)
		if err := saveAudio(env, r.state); err != nil {
			return err
		}
	}
	env.Emit(lab.Progress{Step: r.state.GlobalStep, TotalSteps: totalSteps, Elapsed: time.Since(began).Seconds()})
	out := agg.results()
	out["receptive_field"] = spec.ReceptiveField()
	out["parameters"] = net.ParamCount()
	out["wall_seconds"] = time.Since(began).Seconds()
	out["data"] = data.set.Origin
	out["settings"] = plan.cfg
	return env.SetResults(out)
}

func saveAudio(env *lab.Env, s *audioState) error {
	snap, err := s.Snapshot()
	if err != nil {
		return err
	}
	return env.SaveCheckpoint(snap)
}

// audioAgg collects accuracies by regime, condition, task and seed.
type audioAgg struct {
	plan *audioPlan
	data *audioData
	acc  map[int]map[string]map[string]map[int]float64 // regime → cond → task → seed → acc
	wall map[string][]float64                          // cond → wall seconds per training unit
}

func newAudioAgg(p *audioPlan, d *audioData) *audioAgg {
	return &audioAgg{plan: p, data: d, acc: map[int]map[string]map[string]map[int]float64{}, wall: map[string][]float64{}}
}

func (a *audioAgg) add(u audioUnitResult) {
	if a.acc[u.Regime] == nil {
		a.acc[u.Regime] = map[string]map[string]map[int]float64{}
	}
	if a.acc[u.Regime][u.Cond] == nil {
		a.acc[u.Regime][u.Cond] = map[string]map[int]float64{}
	}
	for t, v := range u.Acc {
		if a.acc[u.Regime][u.Cond][t] == nil {
			a.acc[u.Regime][u.Cond][t] = map[int]float64{}
		}
		a.acc[u.Regime][u.Cond][t][u.Seed] = v
	}
	a.wall[u.Cond] = append(a.wall[u.Cond], u.Wall)
}

// cell summarises one (regime, condition, task): accuracy mean and sd over seeds, and the paired
// gain over "single" (same seed) with its 95% t interval half-width.
type audioCell struct {
	AccMean  float64   `json:"acc_mean"`
	AccSD    float64   `json:"acc_sd"`
	Acc      []float64 `json:"acc"`
	Seeds    []int     `json:"seeds"`
	GainMean float64   `json:"gain_mean"`
	GainCI95 float64   `json:"gain_ci95"`
	Gains    []float64 `json:"gains,omitempty"`
}

func (a *audioAgg) cell(reg int, cond, task string) (audioCell, bool) {
	bySeed := a.acc[reg][cond][task]
	if len(bySeed) == 0 {
		return audioCell{}, false
	}
	var c audioCell
	base := a.acc[reg]["single"][task]
	for s := int(a.plan.cfg.Seed); s < int(a.plan.cfg.Seed)+a.plan.cfg.Seeds; s++ {
		v, ok := bySeed[s]
		if !ok {
			continue
		}
		c.Acc = append(c.Acc, v)
		c.Seeds = append(c.Seeds, s)
		if b, ok := base[s]; ok && cond != "single" {
			c.Gains = append(c.Gains, v-b)
		}
	}
	c.AccMean, c.AccSD = meanSD(c.Acc)
	c.GainMean, c.GainCI95 = math.NaN(), math.NaN()
	if len(c.Gains) > 0 {
		m, sd := meanSD(c.Gains)
		c.GainMean = m
		c.GainCI95 = tQuantile975(len(c.Gains)-1) * sd / math.Sqrt(float64(len(c.Gains)))
	}
	return c, true
}

func meanSD(x []float64) (float64, float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	if len(x) < 2 {
		return m, math.NaN()
	}
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, math.Sqrt(s / float64(len(x)-1))
}

// tQuantile975 is Student's t 0.975 quantile for df degrees of freedom (standard tables; NaN for
// df < 1, the normal 1.96 beyond 30).
func tQuantile975(df int) float64 {
	t := []float64{math.NaN(), 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df < 1 {
		return math.NaN()
	}
	if df < len(t) {
		return t[df]
	}
	return 1.96
}

// spread formats " ± v" in percent, or nothing while v is undefined (a single seed so far).
func spread(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return fmt.Sprintf(" ± %.1f", 100*v)
}

// emit sends the chart points and the results table for everything finished so far.
func (a *audioAgg) emit(env *lab.Env) {
	var rows [][]string
	for _, reg := range a.plan.regimes {
		for _, c := range a.plan.conds {
			for _, t := range a.data.tasks {
				cell, ok := a.cell(reg, c.Name, t.Name)
				if !ok {
					continue
				}
				env.Emit(lab.Point{Chart: "accuracy by condition, " + t.Name, Series: c.Name, X: float64(reg), Y: cell.AccMean,
					Err: cell.AccSD, XLabel: "labelled clips per class", YLabel: "test accuracy"})
				gain := "-"
				if !math.IsNaN(cell.GainMean) {
					gain = fmt.Sprintf("%+.1f", 100*cell.GainMean) + spread(cell.GainCI95)
				}
				rows = append(rows, []string{strconv.Itoa(reg), c.Name, t.Name,
					fmt.Sprintf("%.1f", 100*cell.AccMean) + spread(cell.AccSD), gain, strconv.Itoa(len(cell.Acc)),
					fmt.Sprintf("%.0f", meanOr(a.wall[c.Name]))})
			}
		}
	}
	env.Emit(lab.Table{Name: "audio results", Columns: []string{"labels/class", "condition", "task", "acc % (mean ± sd)", "gain vs single (± 95% CI)", "seeds", "s/training"},
		Rows: rows, Note: "accuracy mean ± sd over paired seeds; gain = acc − single-task acc at the same seed, mean ± 95% t interval"})
}

func meanOr(x []float64) float64 {
	m, _ := meanSD(x)
	return m
}

// results returns results.json's content: regimes → condition → task → cell.
func (a *audioAgg) results() map[string]any {
	reg := map[string]any{}
	for _, r := range a.plan.regimes {
		conds := map[string]any{}
		for _, c := range a.plan.conds {
			tasks := map[string]any{}
			for _, t := range a.data.tasks {
				if cell, ok := a.cell(r, c.Name, t.Name); ok {
					tasks[t.Name] = map[string]any{"acc_mean": cell.AccMean, "acc_sd": cell.AccSD, "acc": cell.Acc, "seeds": cell.Seeds,
						"gain_mean": cell.GainMean, "gain_ci95": cell.GainCI95, "gains": cell.Gains}
				}
			}
			conds[c.Name] = tasks
		}
		reg[strconv.Itoa(r)] = conds
	}
	wall := map[string]float64{}
	for c, w := range a.wall {
		wall[c] = meanOr(w)
	}
	return map[string]any{"regimes": reg, "wall_seconds_per_training": wall}
}
