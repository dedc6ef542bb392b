package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/data"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/logits"
	"github.com/logitlab/logitlab/models"
)

// Logits is paper 1, part 1 (Seguin et al., arXiv 2108.12001): it trains a standard and an
// adversarially trained model side by side, on the same data order from the same initialization,
// and compares their logits: the max logit M and the gap G as training goes, their robust
// accuracy (with gradient-masking checks), which samples each is sure of (rank correlations,
// beside the same correlation between two standard models that differ only in their
// initialization seed), and the images they disagree on most.
//
// The run is a sequence of jobs of equal length (epochs × steps per epoch): one per seed, each
// training three models (standard, robust, and the baseline standard model with another
// initialization seed), then one per extra training ε of the ε sweep (a robust model each, first
// seed). After each job the models are evaluated and dropped; results accumulate in the
// checkpoint metadata.
type Logits struct {
	// BLAS describes the linear-algebra backend in use (shown in the start messages and results).
	BLAS string
}

// Name implements lab.Experiment.
func (Logits) Name() string { return "logits" }

// Summary implements lab.Experiment.
func (Logits) Summary() string {
	return "standard vs adversarial training side by side: max logit and gap, robust accuracy, which samples each is sure of"
}

// logitsJob is one unit of training: a seed's three models, or one model of the ε sweep.
type logitsJob struct {
	sweep bool
	seed  int64   // initialization and data-order seed
	eps   float64 // sweep: the training ε
}

// Model names, as they appear in series, tensors and results.
const (
	mStandard = "standard"
	mRobust   = "robust"
	mBaseline = "baseline"
	histBins  = 30
	// baselineSeedOffset separates the baseline model's initialization seed from the others'.
	baselineSeedOffset = 1_000_003
)

// logitsRun is one run of the experiment.
type logitsRun struct {
	env           *lab.Env
	cfg           config.LogitsConfig
	blas, origin  string
	presetChanged []string
	train, test   *data.Set
	evalX         []float32 // the first EvalSamples test images, for the attacks
	evalY         []int
	curveEps      []float64
	jobs          []logitsJob
	stepsPerEpoch int64
	trackEvery    int64
	evalBatch     int
	st            *logitsState
	segmentStart  time.Time
	wallBase      float64
}

// Run implements lab.Experiment.
func (l Logits) Run(ctx context.Context, env *lab.Env) error {
	cfg, changed, err := resolveLogits(env.Config().Logits)
	if err != nil {
		return err
	}
	r := &logitsRun{env: env, cfg: cfg, blas: l.BLAS, presetChanged: changed}
	if err := r.setup(); err != nil {
		return err
	}
	return r.run(ctx)
}

// setup loads the data and plans the jobs.
func (r *logitsRun) setup() error {
	cfg := r.cfg
	var err error
	if r.curveEps, err = parseEpsList("curve_eps", cfg.CurveEps); err != nil {
		return err
	}
	sweep, err := parseEpsList("sweep_eps", cfg.SweepEps)
	if err != nil {
		return err
	}
	if r.train, r.test, r.origin, err = data.Load(cfg.Data, data.Options{Dir: cfg.DataDir, Full: cfg.FullData}); err != nil {
		return err
	}
	if cfg.TrainSamples > 0 && cfg.TrainSamples < r.train.N {
		r.train = r.train.Subset(firstN(cfg.TrainSamples))
		r.origin += fmt.Sprintf("; training on the first %d samples", cfg.TrainSamples)
	}
	if cfg.Batch > r.train.N {
		return fmt.Errorf("logits: batch %d is larger than the training set (%d samples): lower logits.batch", cfg.Batch, r.train.N)
	}
	if cfg.StatsSamples > 0 && cfg.StatsSamples < r.test.N {
		r.test = r.test.Subset(firstN(cfg.StatsSamples))
		r.origin += fmt.Sprintf("; statistics on the first %d test samples", cfg.StatsSamples)
	}
	n := min(cfg.EvalSamples, r.test.N)
	r.evalX, r.evalY = r.test.Pixels[:n*r.test.Dim()], r.test.Labels[:n]
	r.stepsPerEpoch = int64(r.train.N / cfg.Batch)
	r.trackEvery = int64(cfg.TrackEvery)
	if r.trackEvery <= 0 {
		r.trackEvery = r.stepsPerEpoch
	}
	r.evalBatch = min(500, r.test.N)
	if cfg.Model == models.ArchCNN {
		r.evalBatch = min(100, r.test.N) // Gorgonia's convolution holds the whole batch's im2col
	}
	for s := 0; s < cfg.Seeds; s++ {
		r.jobs = append(r.jobs, logitsJob{seed: cfg.Seed + int64(s)})
	}
	for _, e := range sweep {
		if e > 0 && e != cfg.Eps { // ε = 0 and the training ε come from the first seed's models
			r.jobs = append(r.jobs, logitsJob{sweep: true, seed: cfg.Seed, eps: e})
		}
	}
	r.st = &logitsState{
		total: int64(cfg.Epochs) * r.stepsPerEpoch, cosine: cfg.LRSchedule == "cosine", method: cfg.Method,
		meta: logitsMeta{BaseLR: cfg.LR, Eps: cfg.Eps, AttackSteps: cfg.AttackSteps, Beta: cfg.Beta, LossSum: map[string]num{}},
	}
	return nil
}

func (r *logitsRun) run(ctx context.Context) error {
	env, st := r.env, r.st
	env.Emit(lab.Message{Level: "info", Text: "data: " + r.origin})
	if r.blas != "" {
		env.Emit(lab.Message{Level: "info", Text: "blas: " + r.blas})
	}
	if len(r.presetChanged) > 0 {
		env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("preset %s: %s", r.cfg.Preset, strings.Join(r.presetChanged, ", "))})
	}
	if c := r.cfg; c.EvalSteps < c.AttackSteps || (c.EvalSteps == c.AttackSteps && c.EvalRestarts < 2) {
		env.Emit(lab.Message{Level: "warn", Text: fmt.Sprintf("the evaluation attack (PGD-%d, %d restarts) is not stronger than the training attack (%d steps): "+
			"robust accuracies will flatter the model; raise logits.eval_steps or logits.eval_restarts", c.EvalSteps, c.EvalRestarts, c.AttackSteps)})
	}
	snap := env.ResumeFrom()
	if snap != nil {
		if err := st.readMeta(snap); err != nil {
			return err
		}
	}
	total := int64(len(r.jobs)) * st.total
	r.segmentStart, r.wallBase = time.Now(), st.meta.WallSeconds
	env.Emit(lab.Progress{Step: st.step(), TotalSteps: total, Elapsed: st.meta.WallSeconds})
	for st.meta.Job < len(r.jobs) {
		job := r.jobs[st.meta.Job]
		jm, err := r.newJob(job)
		if err != nil {
			return err
		}
		st.jm, st.sweep = jm, job.sweep
		if snap != nil && st.meta.Local > 0 {
			err = st.restoreModels(snap)
		} else if st.meta.Local == 0 {
			env.Emit(lab.Message{Level: "info", Text: r.jobText(job)})
		}
		snap = nil
		if err == nil {
			err = r.trainJob(ctx, job)
		}
		if err == nil {
			err = r.finishJob(ctx, job)
		}
		if err != nil {
			err = r.endEarly(err)
			return errors.Join(err, jm.close())
		}
		st.jm = nil
		if err := jm.close(); err != nil {
			return fmt.Errorf("logits: release graphs: %w", err)
		}
		st.meta.Job++
		st.meta.Local = 0
		if err := r.save(); err != nil {
			return err
		}
	}
	r.wall()
	return env.SetResults(r.results())
}

// jobText says what a job trains.
func (r *logitsRun) jobText(job logitsJob) string {
	if job.sweep {
		return fmt.Sprintf("eps sweep: training a %s-robust model at eps %g (seed %d)", r.cfg.Method, job.eps, job.seed)
	}
	return fmt.Sprintf("seed %d: training the standard, the %s-robust (eps %g) and the baseline standard model (initialization seed %d) on one data order",
		job.seed, r.cfg.Method, r.st.meta.Eps, job.seed+baselineSeedOffset)
}

// newJob builds the models of a job and their graphs.
func (r *logitsRun) newJob(job logitsJob) (jm *jobModels, err error) {
	spec := models.Spec{Arch: r.cfg.Model, C: r.train.C, H: r.train.H, W: r.train.W, Classes: r.train.Classes}
	jm = &jobModels{nets: map[string]*models.Net{}, trainers: map[string]*models.Trainer{}, eval: map[string]*attacks.NetModel{}}
	defer func() {
		if err != nil {
			_ = jm.close()
		}
	}()
	jm.names = []string{mStandard, mRobust, mBaseline}
	if job.sweep {
		jm.names = []string{mRobust}
	}
	lr := r.st.meta.BaseLR * r.st.lrFactor()
	for _, name := range jm.names {
		seed := job.seed
		if name == mBaseline {
			seed += baselineSeedOffset
		}
		net, err := models.NewNet(spec, uint64(seed))
		if err != nil {
			return nil, err
		}
		tr, err := models.NewTrainer(net, r.cfg.Batch, models.OptimSpec{Name: models.OptimAdam, LR: lr})
		if err != nil {
			return nil, err
		}
		jm.nets[name], jm.trainers[name] = net, tr
		if jm.eval[name], err = attacks.NewNetModel(net, r.evalBatch); err != nil {
			return nil, err
		}
	}
	p := attacks.TrainParams{
		Method: attacks.Method(r.cfg.Method), Eps: r.st.meta.Eps, Steps: r.st.meta.AttackSteps,
		StepSize: r.cfg.AttackStep, Beta: r.st.meta.Beta,
	}
	if job.sweep {
		p.Eps = job.eps
	}
	if jm.adv, err = attacks.NewTrainer(jm.nets[mRobust], jm.trainers[mRobust], p); err != nil {
		return nil, err
	}
	return jm, nil
}

// trainJob runs the job's remaining steps.
func (r *logitsRun) trainJob(ctx context.Context, job logitsJob) error {
	env, st, cfg := r.env, r.st, r.cfg
	jm := st.jm
	dim, batch := r.train.Dim(), cfg.Batch
	xb, yb := make([]float32, batch*dim), make([]int, batch)
	var order []int
	orderEpoch := -1
	var rate float64
	for st.meta.Local < st.total {
		if err := env.Between(ctx, st.step(), st); err != nil {
			return err
		}
		epoch := int(st.meta.Local / r.stepsPerEpoch)
		if epoch != orderEpoch {
			order, orderEpoch = data.EpochOrder(r.train.N, uint64(job.seed), epoch), epoch
		}
		first := int(st.meta.Local%r.stepsPerEpoch) * batch
		r.train.Gather(xb, yb, order[first:first+batch])
		lr := st.meta.BaseLR * st.lrFactor()
		began := time.Now()
		series := make(map[string]float64, len(jm.names))
		for _, name := range jm.names {
			tr := jm.trainers[name]
			tr.SetLR(lr)
			var loss float64
			var err error
			if name == mRobust {
				if err := r.warmEps(job); err != nil {
					return err
				}
				loss, err = jm.adv.Step(ctx, xb, yb, attackSeed(job.seed, st.step()))
			} else {
				loss, err = tr.Step(xb, yb)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("the %s model: %w", name, divergence(st.step()+1, lr, err))
			}
			series[name+"/loss"] = loss
			st.meta.LossSum[name] += num(loss)
		}
		if s := time.Since(began).Seconds(); s > 0 {
			rate = ewma(rate, float64(batch)/s)
		}
		st.meta.Local++
		st.meta.LossCount++
		env.Emit(lab.StepMetrics{Step: st.step(), Epoch: epoch + 1, Loss: series[mRobust+"/loss"], LR: lr, SamplesPerSec: rate, Series: series})
		if st.meta.Local%r.trackEvery == 0 || st.meta.Local == st.total {
			if err := r.track(job); err != nil {
				return err
			}
		}
		if st.step()%int64(cfg.CheckpointEvery) == 0 && st.meta.Local < st.total {
			if err := r.save(); err != nil {
				return err
			}
		}
	}
	return nil
}

// warmEps sets the robust model's training ε for the next step: the job's ε, ramped up linearly
// from 0 over the first eps_warmup epochs,
//
//	ε(s) = ε · min(1, (s+1) / (eps_warmup · steps per epoch)),   s = steps taken in the job.
func (r *logitsRun) warmEps(job logitsJob) error {
	eps := r.st.meta.Eps
	if job.sweep {
		eps = job.eps
	}
	if w := r.cfg.EpsWarmup * float64(r.stepsPerEpoch); w > 0 {
		eps *= math.Min(1, float64(r.st.meta.Local+1)/w)
	}
	if eps == r.st.jm.adv.Params().Eps {
		return nil
	}
	return r.st.jm.adv.SetEps(eps)
}

// firstN returns 0, 1, …, n−1.
func firstN(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// attackSeed gives each training step's attack its own random start, a function of the seed and
// the step alone (so a resumed run draws the same as an uninterrupted one).
func attackSeed(seed, step int64) uint64 {
	z := uint64(seed)*0x9e3779b97f4a7c15 ^ uint64(step)*0xbf58476d1ce4e5b9
	z ^= z >> 31
	return z * 0x94d049bb133111eb
}

// wall brings the run's wall time up to now.
func (r *logitsRun) wall() {
	r.st.meta.WallSeconds = r.wallBase + time.Since(r.segmentStart).Seconds()
}

// save writes a checkpoint of the current state.
func (r *logitsRun) save() error {
	r.wall()
	snap, err := r.st.Snapshot()
	if err != nil {
		return err
	}
	return r.env.SaveCheckpoint(snap)
}

// endEarly checkpoints a run that is being stopped or cancelled, so it can be resumed, and passes
// the reason on.
func (r *logitsRun) endEarly(why error) error {
	if errors.Is(why, lab.ErrStopRequested) || errors.Is(why, context.Canceled) || errors.Is(why, context.DeadlineExceeded) {
		if err := r.save(); err != nil {
			return errors.Join(why, err)
		}
	}
	return why
}

// statsOf returns the logit statistics of a model on the whole test set, its accuracy and its
// mean cross-entropy there.
func (r *logitsRun) statsOf(m *attacks.NetModel) (logits.Stats, float64, float64, error) {
	k := m.Classes()
	z := make([]float32, r.test.N*k)
	if err := m.Logits(z, r.test.Pixels); err != nil {
		return logits.Stats{}, 0, 0, err
	}
	s := logits.Compute(z, k)
	var correct int
	var ce float64
	for i, y := range r.test.Labels {
		if s.Pred[i] == y {
			correct++
		}
		row := z[i*k : (i+1)*k]
		// −log softmax(z)[y] = M + log Σ exp(z − M) − z_y
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - s.Max[i])
		}
		ce += s.Max[i] + math.Log(sum) - float64(row[y])
	}
	n := float64(r.test.N)
	return s, float64(correct) / n, ce / n, nil
}

var _ lab.Steerable = (*logitsState)(nil)
