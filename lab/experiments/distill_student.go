package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/data"
	"github.com/logitlab/logitlab/logits"
	"github.com/logitlab/logitlab/models"
)

// studentResult is one trained model's evaluation (a student's, or a teacher's).
type studentResult struct {
	CleanAcc  num `json:"clean_acc"`  // whole test set
	RobustAcc num `json:"robust_acc"` // under the evaluation attack, on the eval samples
	// MaskingPass says whether every gradient-masking check passed; Failed names those that did not.
	MaskingPass bool     `json:"masking_pass"`
	Failed      []string `json:"masking_failed,omitempty"`
	// KL is the mean over the test set of KL(softmax(t/T) ‖ softmax(s/T)) to the unmanipulated
	// teacher at the student's T (for a hard-label student: to the robust teacher at the first T).
	KL num `json:"kl_to_teacher"`
	// RankAgreement is logits.NonMaxRankAgreement of the student's test logits with that teacher's.
	RankAgreement num     `json:"nonmax_rank_agreement"`
	MeanMax       num     `json:"mean_max_logit"`
	MeanGap       num     `json:"mean_gap"`
	FinalLoss     num     `json:"final_loss"` // mean training loss over the last epoch
	Seconds       float64 `json:"wall_seconds"`
}

// student trains one student and evaluates it. It runs on a worker goroutine: it reads the run's
// shared data read-only, takes the gate for reading around each step, and reports steps on
// reports.
func (r *distillRun) student(ctx context.Context, j studentJob, reports chan<- stepReport) (res studentResult, err error) {
	began := time.Now()
	st, cfg := r.st, r.cfg
	k := r.train.Classes
	net, err := models.NewNet(r.studentSpec, j.initSeed())
	if err != nil {
		return res, err
	}
	tr, err := models.NewDistillTrainer(net, cfg.Batch, models.OptimSpec{Name: models.OptimAdam, LR: cfg.LR})
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, tr.Close()) }()
	var targets []float32 // the manipulated teacher logits of the training set
	if j.Variant.Teacher != "" {
		targets = slices.Clone(r.zTrain[j.Variant.Teacher])
		other := mRobust
		if j.Variant.Teacher == mRobust {
			other = mStandard
		}
		rng := rand.New(rand.NewPCG(j.manipSeed(), 0x6a09e667f3bcc909))
		if err := j.Variant.Manip.Apply(targets, k, r.zTrain[other], rng); err != nil {
			return res, err
		}
	}
	dim, batch := r.train.Dim(), cfg.Batch
	xb, yb, tb := make([]float32, batch*dim), make([]int, batch), make([]float32, batch*k)
	var order []int
	orderEpoch := -1
	var lastEpochLoss float64
	var lastEpochSteps int
	var rate float64
	for local := int64(0); local < st.studentTotal; local++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		epoch := int(local / st.stepsPerEpoch)
		if epoch != orderEpoch {
			order, orderEpoch = data.EpochOrder(r.train.N, j.initSeed(), epoch), epoch
			lastEpochLoss, lastEpochSteps = 0, 0
		}
		first := int(local%st.stepsPerEpoch) * batch
		r.train.Gather(xb, yb, order[first:first+batch])
		if targets != nil {
			for i, idx := range order[first : first+batch] {
				copy(tb[i*k:(i+1)*k], targets[idx*k:(idx+1)*k])
			}
		}
		t0 := time.Now()
		st.gate.RLock()
		lr, alpha, T := st.meta.LR, st.meta.Alpha, j.T
		if st.meta.LiveT > 0 && T > 0 {
			T = st.meta.LiveT
		}
		st.gate.RUnlock()
		tr.SetLR(lr)
		var rep stepReport
		if targets == nil {
			rep.loss, err = tr.Step(xb, yb)
			rep.ce = rep.loss
		} else {
			var l models.DistillLoss
			l, err = tr.StepDistill(xb, yb, tb, T, alpha)
			rep.loss, rep.kl, rep.ce = l.Total, l.KL, l.CE
		}
		if err != nil {
			return res, divergence(local+1, lr, err)
		}
		if s := time.Since(t0).Seconds(); s > 0 {
			rate = ewma(rate, float64(batch)/s)
		}
		rep.job, rep.local, rep.samplesPerS = j, local+1, rate
		lastEpochLoss += rep.loss
		lastEpochSteps++
		select {
		case reports <- rep:
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
	m, err := attacks.NewNetModel(net, r.evalBatch)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, m.Close()) }()
	zs := make([]float32, r.test.N*k)
	if err := m.Logits(zs, r.test.Pixels); err != nil {
		return res, err
	}
	if res, err = r.evaluate(ctx, m, zs, r.zTest, j, true); err != nil {
		return res, err
	}
	res.FinalLoss = num(lastEpochLoss / float64(max(1, lastEpochSteps)))
	res.Seconds = time.Since(began).Seconds()
	return res, nil
}

// ewma folds x into a running average (weight 0.9 on the past).
func ewma(avg, x float64) float64 {
	if avg == 0 {
		return x
	}
	return 0.9*avg + 0.1*x
}

// evaluate measures a model with test logits zs: clean accuracy, robust accuracy under the
// evaluation attack with the gradient-masking checks (transfer from the standard teacher), logit
// statistics and, when teacher logits are given, its KL and non-max rank agreement to its
// unmanipulated teacher.
// transfer says whether to run the transfer check (not for the standard teacher itself).
func (r *distillRun) evaluate(ctx context.Context, m *attacks.NetModel, zs []float32, teachers map[string][]float32, j studentJob, transfer bool) (studentResult, error) {
	k := r.test.Classes
	s := logits.Compute(zs, k)
	var correct int
	for i, y := range r.test.Labels {
		if s.Pred[i] == y {
			correct++
		}
	}
	sum := logits.Summarize(s)
	res := studentResult{CleanAcc: num(float64(correct) / float64(r.test.N)), MeanMax: num(sum.MeanMax), MeanGap: num(sum.MeanGap),
		KL: num(math.NaN()), RankAgreement: num(math.NaN())}
	if teachers != nil {
		name, T := j.Variant.Teacher, j.T
		if name == "" {
			name, T = mRobust, r.temps[0]
		}
		zt := teachers[name]
		res.KL = num(logits.MeanKL(zt, zs, k, T))
		res.RankAgreement = num(logits.NonMaxRankAgreement(zs, zt, k))
	}
	var source attacks.Model
	if transfer {
		clone, err := r.st.nets[mStandard].Clone() // workers must not share graph parameters
		if err != nil {
			return res, err
		}
		src, err := attacks.NewNetModel(clone, r.evalBatch)
		if err != nil {
			return res, err
		}
		defer src.Close()
		source = src
	}
	atk := r.attack(j.Seed)
	rep, err := attacks.CheckMasking(ctx, m, r.evalX, r.evalY, attacks.CheckParams{Attack: atk, Source: source, SourceName: "standard teacher"})
	if err != nil {
		return res, fmt.Errorf("robust accuracy: %w", err)
	}
	res.RobustAcc = num(rep.Acc[atk.Name()])
	res.MaskingPass = rep.Pass
	for _, c := range rep.Checks {
		if !c.Pass {
			res.Failed = append(res.Failed, c.Name+" ("+c.Detail+")")
		}
	}
	return res, nil
}
