package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/logitlab/logitlab/logits"
)

// DistillLoss is one distillation step's loss, before the update, split into its terms (all
// means over the batch):
//
//	Total = α·T²·KL + (1−α)·CE
//	KL    = (1/B) Σ_i Σ_c q[i,c]·(log q[i,c] − log softmax(s_i/T)_c),   q_i = softmax(t_i/T)
//	CE    = (1/B) Σ_i −log softmax(s_i)_{y_i}
//
// for student logits s, teacher logits t, labels y, temperature T and weight α (Hinton et al.
// 2015). The KL is summed over the classes: averaging it over them too, as ARD's code does,
// silently divides the soft term by the number of classes.
type DistillLoss struct {
	Total, KL, CE float64
}

// addDistill adds the soft term to a loss graph: loss += B · SoftmaxCrossEntropy(z·(1/T), W)
// with W[i,c] = α·T²·q[i,c]/B written by StepDistill. Its gradient with respect to z is
// α·T·(softmax(z/T) − q)/B, the KL term's: the KL and the cross-entropy against q differ by the
// teacher's entropy, a constant.
func (gr *graph) addDistill(dt tensor.Dtype, batch, classes int) error {
	gr.sT = tensor.New(tensor.Of(dt), tensor.WithShape(batch, classes))
	gr.soft = G.NewMatrix(gr.g, dt, G.WithShape(batch, classes), G.WithName("soft_target"), G.WithValue(gr.sT))
	var one G.Value = G.NewF64(1)
	if dt == tensor.Float32 {
		one = G.NewF32(1)
	}
	gr.invT = G.NewScalar(gr.g, dt, G.WithName("inv_temperature"), G.WithValue(one))
	scaled, err := G.Mul(gr.logits, gr.invT)
	if err != nil {
		return err
	}
	soft, err := crossEntropy(scaled, gr.soft)
	if err != nil {
		return err
	}
	gr.loss, err = G.Add(gr.loss, soft)
	return err
}

// setInvT sets the graph's 1/T for the next run.
func (gr *graph) setInvT(invT float64) error {
	var v G.Value = G.NewF64(invT)
	if gr.invT.Dtype() == tensor.Float32 {
		v = G.NewF32(float32(invT))
	}
	return G.Let(gr.invT, v)
}

// NewDistillTrainer is NewTrainer for a student: its graph has the distillation loss of
// StepDistill besides the cross-entropy of Step and StepSoft (which leave the soft term at 0).
func NewDistillTrainer(n *Net, batch int, opt OptimSpec) (*Trainer, error) {
	return newTrainer(n, batch, opt, modeDistill)
}

// clearSoft zeroes a distillation graph's soft targets, so Step and StepSoft train on their own
// targets alone.
func (t *Trainer) clearSoft() {
	if t.gr.sT != nil {
		clear(t.gr.sT.Data().([]float32))
		_ = t.gr.setInvT(1)
	}
}

// StepDistill takes one optimizer step on the distillation loss (see DistillLoss) for inputs x
// (Batch samples), labels y and the teacher's logits (Batch×Classes, row-major; any
// manipulation already applied), at temperature T > 0 with weight alpha in [0, 1]. It returns the
// loss before the update. The trainer must come from NewDistillTrainer. Non-finite values are
// refused as in Step, leaving the parameters unchanged.
func (t *Trainer) StepDistill(x []float32, y []int, teacher []float32, T, alpha float64) (DistillLoss, error) {
	k := t.net.spec.Classes
	switch {
	case t.gr.sT == nil:
		return DistillLoss{}, fmt.Errorf("models: StepDistill needs a trainer made by NewDistillTrainer")
	case !(T > 0) || math.IsInf(T, 1):
		return DistillLoss{}, fmt.Errorf("models: distillation temperature %v: want a finite T > 0", T)
	case !(alpha >= 0 && alpha <= 1):
		return DistillLoss{}, fmt.Errorf("models: distillation weight alpha %v: want 0 <= alpha <= 1", alpha)
	case len(y) != t.batch:
		return DistillLoss{}, fmt.Errorf("models: distillation step wants %d labels, got %d", t.batch, len(y))
	case len(teacher) != t.batch*k:
		return DistillLoss{}, fmt.Errorf("models: distillation step wants %d teacher logits (%d×%d), got %d", t.batch*k, t.batch, k, len(teacher))
	}
	if err := checkLabels(y, k); err != nil {
		return DistillLoss{}, err
	}
	setTargets(t.gr.tT.Data().([]float32), y, k, (1-alpha)/float64(t.batch))
	sb := t.gr.sT.Data().([]float32)
	q := make([]float64, k)
	w := alpha * T * T / float64(t.batch)
	for i := 0; i < t.batch; i++ {
		if err := softmaxT(q, teacher[i*k:(i+1)*k], T); err != nil {
			return DistillLoss{}, fmt.Errorf("models: teacher logits of sample %d: %w", i, err)
		}
		for c, p := range q {
			sb[i*k+c] = float32(w * p)
		}
	}
	if err := t.gr.setInvT(1 / T); err != nil {
		return DistillLoss{}, fmt.Errorf("models: set the temperature: %w", err)
	}
	defer t.vm.Reset()
	if _, grads, err := t.run(x); err != nil {
		return DistillLoss{}, err
	} else {
		l := distillTerms(t.gr.logits.Value().Data().([]float32), teacher, y, k, T, alpha)
		t.steps++
		for i := range grads {
			t.opt.update(i, t.net.data(i), grads[i], t.lr, t.steps)
		}
		return l, nil
	}
}

// softmaxT writes softmax(z/T) into dst in float64, or returns an error for a non-finite logit.
func softmaxT[F float32 | float64](dst []float64, z []F, T float64) error {
	for c, v := range z {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("class %d is %v", c, f)
		}
	}
	logits.LogSoftmax(dst, z, T)
	for c, v := range dst {
		dst[c] = math.Exp(v)
	}
	return nil
}

// distillTerms computes DistillLoss for student logits s and teacher logits t (n×k each) in
// float64.
func distillTerms[F float32 | float64](s, t []F, y []int, k int, T, alpha float64) DistillLoss {
	n := len(y)
	ls := make([]float64, k)
	var ce float64
	for i := 0; i < n; i++ {
		logits.LogSoftmax(ls, s[i*k:(i+1)*k], 1)
		ce -= ls[y[i]]
	}
	kl := logits.MeanKL(t[:n*k], s[:n*k], k, T)
	ce /= float64(n)
	return DistillLoss{Total: alpha*T*T*kl + (1-alpha)*ce, KL: kl, CE: ce}
}
