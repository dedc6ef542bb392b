package attacks

import (
	"context"
	"fmt"
	"math"
)

// CheckParams configures CheckMasking. Zero optional fields take the defaults named.
type CheckParams struct {
	// Attack is the evaluation attack at the ε being checked, e.g. Madry(0.3, 40, 2). Required.
	Attack PGD
	// Source is a standard model to craft transfer attacks on; nil skips the transfer check.
	Source Model
	// SourceName names it in the check's detail ("standard").
	SourceName string
	// Tol is the accuracy slack of the comparisons (default 0.01).
	Tol float64
	// LargeEps is the radius of the "large ε" check (default Hi − Lo: any input is reachable).
	LargeEps float64
	// MaxLargeEpsAcc is the accuracy allowed at LargeEps (default 0.05).
	MaxLargeEpsAcc float64
	// MaxFGSMGap is the largest acc(FGSM) − acc(PGD) not flagged as catastrophic overfitting
	// (default 0.3).
	MaxFGSMGap float64
	// MaxZeroGrad is the largest fraction of samples allowed an exactly-zero input gradient
	// (default 0.05).
	MaxZeroGrad float64
}

func (p CheckParams) withDefaults() CheckParams {
	p.Attack = p.Attack.WithDefaults()
	if p.Tol == 0 {
		p.Tol = 0.01
	}
	if p.LargeEps == 0 {
		p.LargeEps = float64(p.Attack.Hi - p.Attack.Lo)
	}
	if p.MaxLargeEpsAcc == 0 {
		p.MaxLargeEpsAcc = 0.05
	}
	if p.MaxFGSMGap == 0 {
		p.MaxFGSMGap = 0.3
	}
	if p.MaxZeroGrad == 0 {
		p.MaxZeroGrad = 0.05
	}
	if p.SourceName == "" {
		p.SourceName = "source"
	}
	return p
}

// Check is the outcome of one gradient-masking check: Pass says whether Value is within Limit.
type Check struct {
	Name   string  `json:"name"`
	Pass   bool    `json:"pass"`
	Value  float64 `json:"value"` // the measured quantity (an accuracy, a gap, a fraction)
	Limit  float64 `json:"limit"` // the most it may be
	Detail string  `json:"detail"`
}

// Report is what CheckMasking found: every check, the accuracies it measured (by attack name),
// and whether all checks passed.
type Report struct {
	Eps    float64            `json:"eps"`
	Checks []Check            `json:"checks"`
	Acc    map[string]float64 `json:"acc"`
	Pass   bool               `json:"pass"`
}

// Names of the accuracies in Report.Acc besides the attacks' own names.
const (
	AccClean    = "clean"
	AccLargeEps = "large eps"
	AccTransfer = "transfer"
)

// Check names, as they appear in Report.Checks.
const (
	CheckPGDBelowFGSM  = "pgd <= fgsm"
	CheckStronger      = "stronger attack never helps"
	CheckLargeEps      = "large eps breaks the model"
	CheckTransfer      = "white-box <= transfer"
	CheckCatastrophic  = "no catastrophic overfitting"
	CheckNonZeroGrad   = "input gradients are non-zero"
	CheckMonotoneInEps = "accuracy falls with eps"
)

// CheckMasking runs the gradient-masking checks of the package doc for m on the samples x, y at
// the ε of p.Attack, and returns them with the accuracies measured along the way, among them
// Acc[p.Attack.Name()], the robust accuracy to report. It returns an error only if an attack or
// a model fails (or ctx is cancelled).
func CheckMasking(ctx context.Context, m Model, x []float32, y []int, p CheckParams) (Report, error) {
	p = p.withDefaults()
	if err := p.Attack.Validate(); err != nil {
		return Report{}, err
	}
	a := p.Attack
	rep := Report{Eps: a.Eps, Acc: map[string]float64{}}
	clean, _, err := Accuracy(m, x, y)
	if err != nil {
		return Report{}, err
	}
	rep.Acc[AccClean] = clean
	run := func(name string, at Attack) (float64, error) {
		acc, _, _, err := Robust(ctx, m, at, x, y)
		if err != nil {
			return 0, fmt.Errorf("attacks: masking check %s: %w", name, err)
		}
		rep.Acc[name] = acc
		return acc, nil
	}

	fg := FGSM(a.Eps)
	fg.Norm, fg.Lo, fg.Hi = a.Norm, a.Lo, a.Hi
	weak := a
	weak.Steps, weak.StepSize, weak.Restarts = max(1, a.Steps/4), 0, 1
	single := a
	single.Restarts = 1
	large := a
	large.Eps, large.StepSize = p.LargeEps, 0
	accFGSM, err := run(fg.Name(), fg)
	if err != nil {
		return Report{}, err
	}
	accWeak, err := run(weak.Name(), weak)
	if err != nil {
		return Report{}, err
	}
	accSingle, err := run(single.Name(), single)
	if err != nil {
		return Report{}, err
	}
	accPGD := accSingle
	if a.Restarts > 1 {
		if accPGD, err = run(a.Name(), a); err != nil {
			return Report{}, err
		}
	}
	accLarge, err := run(AccLargeEps, large)
	if err != nil {
		return Report{}, err
	}

	rep.Checks = append(rep.Checks,
		Check{Name: CheckPGDBelowFGSM, Pass: accPGD <= accFGSM+p.Tol, Value: accPGD, Limit: accFGSM + p.Tol,
			Detail: fmt.Sprintf("%s %.3f vs FGSM %.3f", a.Name(), accPGD, accFGSM)},
		Check{Name: CheckStronger, Pass: accSingle <= accWeak+p.Tol && accPGD <= accSingle+p.Tol,
			Value: math.Max(accSingle-accWeak, accPGD-accSingle), Limit: p.Tol,
			Detail: fmt.Sprintf("%s %.3f, %s %.3f, %s %.3f", weak.Name(), accWeak, single.Name(), accSingle, a.Name(), accPGD)},
		Check{Name: CheckLargeEps, Pass: accLarge <= p.MaxLargeEpsAcc, Value: accLarge, Limit: p.MaxLargeEpsAcc,
			Detail: fmt.Sprintf("%s at ε=%g: %.3f", large.Name(), large.Eps, accLarge)},
		Check{Name: CheckCatastrophic, Pass: accFGSM-accPGD <= p.MaxFGSMGap, Value: accFGSM - accPGD, Limit: p.MaxFGSMGap,
			Detail: fmt.Sprintf("FGSM %.3f − %s %.3f", accFGSM, a.Name(), accPGD)},
	)
	if p.Source != nil {
		tr := Transfer{Source: p.Source, Attack: single, From: p.SourceName}
		accTr, err := run(AccTransfer, tr)
		if err != nil {
			return Report{}, err
		}
		rep.Checks = append(rep.Checks, Check{Name: CheckTransfer, Pass: accPGD <= accTr+p.Tol, Value: accPGD, Limit: accTr + p.Tol,
			Detail: fmt.Sprintf("white-box %s %.3f vs %s %.3f", a.Name(), accPGD, tr.Name(), accTr)})
	}
	zero, err := zeroGradFraction(m, x, y)
	if err != nil {
		return Report{}, err
	}
	rep.Checks = append(rep.Checks, Check{Name: CheckNonZeroGrad, Pass: zero <= p.MaxZeroGrad, Value: zero, Limit: p.MaxZeroGrad,
		Detail: fmt.Sprintf("%.1f%% of samples have ∇ₓL = 0 at the clean input", 100*zero)})
	rep.Pass = true
	for _, c := range rep.Checks {
		rep.Pass = rep.Pass && c.Pass
	}
	return rep, nil
}

// zeroGradFraction returns the fraction of samples whose input gradient is exactly zero.
func zeroGradFraction(m Model, x []float32, y []int) (float64, error) {
	g := make([]float32, len(x))
	if _, err := m.Grad(g, x, y); err != nil {
		return 0, fmt.Errorf("attacks: masking check gradient: %w", err)
	}
	dim, zero := m.Dim(), 0
	for i := range y {
		all := true
		for _, v := range g[i*dim : (i+1)*dim] {
			if v != 0 {
				all = false
				break
			}
		}
		if all {
			zero++
		}
	}
	return float64(zero) / float64(len(y)), nil
}

// CheckMonotone checks that accuracy never rises with ε by more than tol along a curve (sorted
// by ε or not). Value is the largest rise found.
func CheckMonotone(curve []CurvePoint, tol float64) Check {
	c := Check{Name: CheckMonotoneInEps, Pass: true, Limit: tol, Detail: "accuracy never rises with ε"}
	for i, a := range curve {
		for _, b := range curve[i+1:] {
			lo, hi := a, b
			if b.Eps < a.Eps {
				lo, hi = b, a
			}
			if hi.Eps > lo.Eps && hi.Acc-lo.Acc > c.Value {
				c.Value = hi.Acc - lo.Acc
				if c.Value > tol {
					c.Pass = false
					c.Detail = fmt.Sprintf("accuracy rises from %.3f at ε=%g to %.3f at ε=%g", lo.Acc, lo.Eps, hi.Acc, hi.Eps)
				}
			}
		}
	}
	return c
}
