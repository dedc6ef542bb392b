package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/data"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/models"
)

// Distill is paper 1, part 2 (Seguin et al., arXiv 2108.12001, after ARD, Goldblum et al. 2020):
// students are distilled on clean inputs only from a standard and an adversarially trained (PGD)
// teacher, with the loss
//
//	L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE(s, y)
//
// (KL summed over the classes, averaged over the batch; see models.DistillLoss), and the teacher's
// logits t first put through a manipulation of its non-max logits (logits.Manipulation): shuffled,
// flattened, top-1 only, reversed, confidence swapped across samples, or the robust teacher's max
// with the standard teacher's order. Each student is then attacked with the same strong PGD (and
// gradient-masking checks) as the logits experiment. The question: does the robust teacher's
// student inherit robustness that hard labels and the standard teacher do not give, and which
// manipulations take it away?
//
// The run has two phases: the teachers (loaded from a logits run, or trained here side by side on
// one data order), then a queue of students — every variant at every temperature and seed — trained
// by a pool of workers. Finished students are checkpointed; a student interrupted by a crash or a
// stop is retrained from its first step on resume.
type Distill struct {
	// BLAS describes the linear-algebra backend in use (shown in the start messages and results).
	BLAS string
}

// Name implements lab.Experiment.
func (Distill) Name() string { return "distill" }

// Summary implements lab.Experiment.
func (Distill) Summary() string {
	return "distil standard and robust teachers on clean inputs, non-max logits manipulated: which students inherit robustness"
}

// distillRun is one run of the experiment.
type distillRun struct {
	env         *lab.Env
	cfg         config.DistillConfig
	blas        string
	origin      string
	variants    []distillVariant
	temps       []float64
	jobs        []studentJob
	train, test *data.Set
	evalX       []float32
	evalY       []int
	evalBatch   int
	teacherSpec models.Spec
	studentSpec models.Spec
	// teacher logits on the training and test sets, by teacher name (n × classes)
	zTrain, zTest map[string][]float32
	st            *distillState
	segmentStart  time.Time
	wallBase      float64
}

// Run implements lab.Experiment.
func (d Distill) Run(ctx context.Context, env *lab.Env) error {
	r := &distillRun{env: env, cfg: env.Config().Distill, blas: d.BLAS}
	var err error
	if r.variants, err = parseVariants(r.cfg.Variants); err != nil {
		return err
	}
	if r.temps, err = parseTemperatures(r.cfg.Temperatures); err != nil {
		return err
	}
	r.jobs = planStudents(r.variants, r.temps, r.cfg.Seed, r.cfg.Seeds)
	r.st = &distillState{meta: distillMeta{LR: r.cfg.LR, Alpha: r.cfg.Alpha}, manyT: len(r.temps) > 1}
	if snap := env.ResumeFrom(); snap != nil {
		if err := r.st.readMeta(snap); err != nil {
			return err
		}
	}
	if err := r.setupTeachers(); err != nil {
		return err
	}
	r.segmentStart, r.wallBase = time.Now(), r.st.meta.WallSeconds
	defer func() { _ = r.st.closeTeacherTrainers() }()
	if !r.st.meta.TeachersDone {
		if err := r.trainTeachers(ctx); err != nil {
			return r.endEarly(err)
		}
	}
	if err := r.prepareStudents(ctx); err != nil {
		return r.endEarly(err)
	}
	if err := r.runStudents(ctx); err != nil {
		return r.endEarly(err)
	}
	r.wall()
	if err := r.save(); err != nil {
		return err
	}
	return env.SetResults(r.results())
}

// setupTeachers loads the data and the teachers (from a teacher run, or new ones to train, or the
// resumed checkpoint's).
func (r *distillRun) setupTeachers() error {
	cfg := r.cfg
	env := r.env
	if r.blas != "" {
		env.Emit(lab.Message{Level: "info", Text: "blas: " + r.blas})
	}
	nets := map[string]*models.Net{}
	dataName, full, trainSamples := cfg.Data, cfg.FullData, cfg.TrainSamples
	if cfg.TeacherRun != "" {
		dir, err := resolveRunDir(cfg.TeacherRun, env.Config().Lab.RunsDir)
		if err != nil {
			return fmt.Errorf("distill: %w", err)
		}
		meta, loaded, err := loadTeachers(dir)
		if err != nil {
			return fmt.Errorf("distill: %w", err)
		}
		if meta.Data != dataName || meta.FullData != full || meta.TrainSamples != trainSamples {
			env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("data as the teachers were trained: %s (full %v, train samples %d), not distill's own %s (full %v, train samples %d)",
				meta.Data, meta.FullData, meta.TrainSamples, dataName, full, trainSamples)})
			dataName, full, trainSamples = meta.Data, meta.FullData, meta.TrainSamples
		}
		env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("teachers from %s: %s-trained at eps %g (seed %d), %s; clean accuracy standard %.3f, robust %.3f",
			dir, meta.Method, meta.Eps, meta.Seed, meta.Spec.Arch, meta.CleanAcc[mStandard], meta.CleanAcc[mRobust])})
		if meta.Eps != cfg.Eps {
			env.Emit(lab.Message{Level: "warn", Text: fmt.Sprintf("the robust teacher was trained at eps %g; the students are attacked at distill.eps %g", meta.Eps, cfg.Eps)})
		}
		nets = loaded
		r.st.meta.TeachersDone = true
		r.st.meta.TeacherSource = dir
	}
	var err error
	if r.train, r.test, r.origin, err = data.Load(dataName, data.Options{Dir: cfg.DataDir, Full: full}); err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	if trainSamples > 0 && trainSamples < r.train.N {
		r.train = r.train.Subset(firstN(trainSamples))
		r.origin += fmt.Sprintf("; training on the first %d samples", trainSamples)
	}
	if cfg.Batch > r.train.N {
		return fmt.Errorf("distill: batch %d is larger than the training set (%d samples): lower distill.batch", cfg.Batch, r.train.N)
	}
	if cfg.TestSamples > 0 && cfg.TestSamples < r.test.N {
		r.test = r.test.Subset(firstN(cfg.TestSamples))
		r.origin += fmt.Sprintf("; testing on the first %d samples", cfg.TestSamples)
	}
	env.Emit(lab.Message{Level: "info", Text: "data: " + r.origin})
	n := min(cfg.EvalSamples, r.test.N)
	r.evalX, r.evalY = r.test.Pixels[:n*r.test.Dim()], r.test.Labels[:n]
	base := models.Spec{C: r.train.C, H: r.train.H, W: r.train.W, Classes: r.train.Classes}
	if len(nets) > 0 {
		r.teacherSpec = nets[mStandard].Spec()
		if got := r.teacherSpec; got.C != base.C || got.H != base.H || got.W != base.W || got.Classes != base.Classes {
			return fmt.Errorf("distill: the teachers take %dx%dx%d inputs and %d classes, the data has %dx%dx%d and %d",
				got.C, got.H, got.W, got.Classes, base.C, base.H, base.W, base.Classes)
		}
	} else {
		r.teacherSpec = base
		r.teacherSpec.Arch = cfg.TeacherModel
		for _, name := range []string{mStandard, mRobust} {
			if nets[name], err = models.NewNet(r.teacherSpec, uint64(cfg.Seed)); err != nil {
				return fmt.Errorf("distill: %w", err)
			}
		}
	}
	r.studentSpec = r.teacherSpec
	if cfg.Student == "small" {
		r.studentSpec = base
		r.studentSpec.Arch, r.studentSpec.Hidden = models.ArchMLP, []int{64}
	}
	r.evalBatch = min(500, r.test.N)
	if r.teacherSpec.Arch == models.ArchCNN || r.studentSpec.Arch == models.ArchCNN {
		r.evalBatch = min(100, r.test.N)
	}
	r.st.nets = nets
	r.st.stepsPerEpoch = int64(r.train.N / cfg.Batch)
	r.st.teacherTotal = int64(cfg.TeacherEpochs) * r.st.stepsPerEpoch
	if r.st.meta.TeacherSource != "" {
		r.st.teacherTotal = 0
	}
	r.st.studentTotal = int64(cfg.Epochs) * r.st.stepsPerEpoch
	if snap := r.env.ResumeFrom(); snap != nil {
		return r.st.restoreTeachers(snap)
	}
	return nil
}

// teacherNames is the order teachers are trained, evaluated and stored in.
func teacherNames() []string { return []string{mStandard, mRobust} }

// trainTeachers trains the standard and the robust teacher side by side on one data order: the
// standard one on clean batches, the robust one with PGD (Madry) at distill.eps, ε ramped up over
// eps_warmup epochs.
func (r *distillRun) trainTeachers(ctx context.Context) error {
	env, st, cfg := r.env, r.st, r.cfg
	if err := st.openTeacherTrainers(cfg, r.env.ResumeFrom()); err != nil {
		return err
	}
	if st.meta.TeacherLocal == 0 {
		env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("training the teachers: a standard and a pgd-robust (eps %g, %d steps) %s, %d epochs, seed %d",
			cfg.Eps, cfg.AttackSteps, r.teacherSpec.Arch, cfg.TeacherEpochs, cfg.Seed)})
	}
	dim, batch := r.train.Dim(), cfg.Batch
	xb, yb := make([]float32, batch*dim), make([]int, batch)
	orderEpoch := -1
	var order []int
	for st.meta.TeacherLocal < st.teacherTotal {
		if err := env.Between(ctx, st.meta.Step, st); err != nil {
			return err
		}
		epoch := int(st.meta.TeacherLocal / st.stepsPerEpoch)
		if epoch != orderEpoch {
			order, orderEpoch = data.EpochOrder(r.train.N, uint64(cfg.Seed), epoch), epoch
		}
		first := int(st.meta.TeacherLocal%st.stepsPerEpoch) * batch
		r.train.Gather(xb, yb, order[first:first+batch])
		eps := cfg.Eps
		if w := cfg.EpsWarmup * float64(st.stepsPerEpoch); w > 0 {
			eps *= math.Min(1, float64(st.meta.TeacherLocal+1)/w)
		}
		if eps != st.adv.Params().Eps {
			if err := st.adv.SetEps(eps); err != nil {
				return err
			}
		}
		series := map[string]float64{}
		for _, name := range teacherNames() {
			st.trainers[name].SetLR(st.meta.LR)
			var loss float64
			var err error
			if name == mRobust {
				loss, err = st.adv.Step(ctx, xb, yb, attackSeed(cfg.Seed, st.meta.Step))
			} else {
				loss, err = st.trainers[name].Step(xb, yb)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("distill: the %s teacher: %w", name, divergence(st.meta.Step+1, st.meta.LR, err))
			}
			series["teacher "+name+"/loss"] = loss
		}
		st.meta.TeacherLocal++
		st.meta.Step++
		env.Emit(lab.StepMetrics{Step: st.meta.Step, Epoch: epoch + 1, Loss: series["teacher robust/loss"], LR: st.meta.LR, Series: series})
		if st.meta.Step%50 == 0 {
			r.progress()
		}
		if st.meta.TeacherLocal%500 == 0 && st.meta.TeacherLocal < st.teacherTotal {
			if err := r.save(); err != nil {
				return err
			}
		}
	}
	st.meta.TeachersDone = true
	if err := st.closeTeacherTrainers(); err != nil {
		return err
	}
	return r.save()
}

// prepareStudents computes the teachers' logits on the training and test sets and evaluates the
// teachers (once per run: the results are kept in the checkpoint).
func (r *distillRun) prepareStudents(ctx context.Context) error {
	st := r.st
	r.zTrain, r.zTest = map[string][]float32{}, map[string][]float32{}
	k := r.train.Classes
	for _, name := range teacherNames() {
		m, err := attacks.NewNetModel(st.nets[name], r.evalBatch)
		if err != nil {
			return err
		}
		zt, zs := make([]float32, r.train.N*k), make([]float32, r.test.N*k)
		err = m.Logits(zt, r.train.Pixels)
		if err == nil {
			err = m.Logits(zs, r.test.Pixels)
		}
		if err == nil && st.meta.Teachers[name] == nil {
			if err = r.env.Between(ctx, st.meta.Step, st); err == nil {
				var res studentResult
				if res, err = r.evaluate(ctx, m, zs, nil, studentJob{}, name == mRobust); err == nil {
					if st.meta.Teachers == nil {
						st.meta.Teachers = map[string]*studentResult{}
					}
					st.meta.Teachers[name] = &res
					r.env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("%s teacher: clean %.3f, %s %.3f, mean max logit %.2f, mean gap %.2f",
						name, res.CleanAcc, r.attack(0).Name(), res.RobustAcc, res.MeanMax, res.MeanGap)})
				}
			}
		}
		err = errors.Join(err, m.Close())
		if err != nil {
			return fmt.Errorf("distill: the %s teacher: %w", name, err)
		}
		r.zTrain[name], r.zTest[name] = zt, zs
	}
	if st.meta.TeacherSource == "" {
		// Saved like a logits run's, so that other distill runs (a T sweep, other variants) can
		// reuse these teachers with distill.teacher_run.
		cfg := r.cfg
		meta := teacherMeta{Spec: r.teacherSpec, Data: cfg.Data, TrainSamples: cfg.TrainSamples, FullData: cfg.FullData,
			Method: "pgd", Eps: cfg.Eps, Seed: cfg.Seed, CleanAcc: map[string]float64{}}
		for name, t := range st.meta.Teachers {
			meta.CleanAcc[name] = float64(t.CleanAcc)
		}
		if err := saveTeachers(r.env.Dir(), meta, st.nets); err != nil {
			return fmt.Errorf("distill: %w", err)
		}
	}
	r.emitResults()
	return r.save()
}

// attack is the evaluation PGD for a student of the given seed.
func (r *distillRun) attack(seed int64) attacks.PGD {
	a := attacks.Madry(r.cfg.Eps, r.cfg.EvalSteps, r.cfg.EvalRestarts)
	a.Seed = attackSeed(seed, -1)
	return a
}

// workers is how many students train at once.
func (r *distillRun) workers() int {
	if w := r.cfg.Workers; w > 0 {
		return w
	}
	return max(1, runtime.NumCPU()/2)
}

// stepReport is a worker's note of one student step.
type stepReport struct {
	job         studentJob
	local       int64 // steps the student has taken
	loss, kl    float64
	ce          float64
	samplesPerS float64
}

// jobDone is a worker's finished (or failed) student.
type jobDone struct {
	job studentJob
	res studentResult
	err error
}

// runStudents trains the students not yet done with a pool of workers. The run's goroutine
// coordinates: it emits the workers' reports as events and, between reports, calls Env.Between
// with the gate held for writing, so that a pause (which blocks in Between) holds every worker
// before its next step and a setting changes between steps, never during one.
func (r *distillRun) runStudents(ctx context.Context) error {
	st := r.st
	var todo []studentJob
	for _, j := range r.jobs {
		if _, done := st.meta.Done[j.key()]; !done {
			todo = append(todo, j)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if n := len(r.jobs) - len(todo); n > 0 {
		r.env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("%d of %d students already done; training the other %d", n, len(r.jobs), len(todo))})
	}
	nw := min(r.workers(), len(todo))
	r.env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("students: %d variants × %d temperatures × %d seeds = %d, %d at a time, %d epochs each on clean inputs",
		len(r.variants), len(r.temps), r.cfg.Seeds, len(r.jobs), nw, r.cfg.Epochs)})
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan studentJob, len(todo))
	for _, j := range todo {
		queue <- j
	}
	close(queue)
	reports := make(chan stepReport, 256)
	done := make(chan jobDone, len(todo))
	var wg sync.WaitGroup
	for range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				if wctx.Err() != nil {
					return
				}
				res, err := r.student(wctx, j, reports)
				done <- jobDone{job: j, res: res, err: err}
				if err != nil {
					return
				}
			}
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()
	// drain lets the workers finish after a cancel.
	drain := func() {
		for {
			select {
			case <-reports:
			case <-done:
			case <-allDone:
				return
			}
		}
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	remaining := len(todo)
	for remaining > 0 {
		select {
		case rep := <-reports:
			st.meta.Step++
			label := rep.job.group(st.manyT)
			r.env.Emit(lab.StepMetrics{Step: st.meta.Step, Epoch: int((rep.local-1)/st.stepsPerEpoch) + 1, Loss: rep.loss, LR: st.meta.LR,
				SamplesPerSec: rep.samplesPerS, Series: map[string]float64{label + "/loss": rep.loss}})
			if st.meta.Step%50 == 0 {
				r.progress()
			}
		case d := <-done:
			remaining--
			if d.err != nil {
				cancel()
				drain()
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("distill: student %s: %w", d.job.key(), d.err)
			}
			if st.meta.Done == nil {
				st.meta.Done = map[string]studentResult{}
			}
			st.meta.Done[d.job.key()] = d.res
			r.env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("student %s (seed %d) done: clean %.3f, %s %.3f, KL to teacher %.3g, non-max rank agreement %.2f",
				d.job.group(true), d.job.Seed, d.res.CleanAcc, r.attack(0).Name(), d.res.RobustAcc, d.res.KL, d.res.RankAgreement)})
			r.emitResults()
			if err := r.save(); err != nil {
				cancel()
				drain()
				return err
			}
		case <-tick.C:
			st.gate.Lock()
			err := r.env.Between(ctx, st.meta.Step, st)
			st.gate.Unlock()
			if err != nil {
				cancel()
				drain()
				return err
			}
		}
	}
	return nil
}

// progress emits the run's progress: teacher steps, then every student's.
func (r *distillRun) progress() {
	st := r.st
	total := st.teacherTotal + int64(len(r.jobs))*st.studentTotal + st.meta.Abandoned
	r.wall()
	r.env.Emit(lab.Progress{Step: st.meta.Step, TotalSteps: max(total, st.meta.Step), Elapsed: st.meta.WallSeconds})
}

// wall brings the run's wall time up to now.
func (r *distillRun) wall() {
	r.st.meta.WallSeconds = r.wallBase + time.Since(r.segmentStart).Seconds()
}

// save writes a checkpoint.
func (r *distillRun) save() error {
	r.wall()
	snap, err := r.st.Snapshot()
	if err != nil {
		return err
	}
	return r.env.SaveCheckpoint(snap)
}

// endEarly checkpoints a run being stopped or cancelled, so it can be resumed, and passes the
// reason on.
func (r *distillRun) endEarly(why error) error {
	if errors.Is(why, lab.ErrStopRequested) || errors.Is(why, context.Canceled) || errors.Is(why, context.DeadlineExceeded) {
		if err := r.save(); err != nil {
			return errors.Join(why, err)
		}
	}
	return why
}

var _ lab.Steerable = (*distillState)(nil)
