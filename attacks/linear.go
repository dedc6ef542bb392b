package attacks

import (
	"fmt"
	"math"
)

// LogisticParams configures TrainLogistic.
type LogisticParams struct {
	Eps         float64 // 0: standard training; > 0: training on the exact L∞ worst case
	LR          float64 // gradient-descent step size (full batch); > 0
	Steps       int     // gradient steps; ≥ 1
	RecordEvery int     // record a point every this many steps (and after the last); ≥ 1
}

// LogisticPoint is the state of logistic regression after Step gradient steps.
type LogisticPoint struct {
	Step       int     `json:"step"`
	WeightNorm float64 `json:"weight_norm"` // ‖w‖₂
	// MeanGap is mean_i |w·x_i + b|: the logit gap G of the two-class model with logits
	// (s/2, −s/2), s = w·x + b; its max logit M is half of it.
	MeanGap float64 `json:"mean_gap"`
	Loss    float64 `json:"loss"` // the loss being minimized (adversarial when Eps > 0)
}

// TrainLogistic runs full-batch gradient descent from w = 0, b = 0 on the logistic loss of the
// linear classifier s(x) = w·x + b over samples x[i] with labels y[i] = ±1, each term taken at the
// L∞ worst case of radius Eps (package doc):
//
//	L(w, b) = mean_i log(1 + exp(−m_i)),   m_i = y_i·(w·x_i + b) − Eps·‖w‖₁,
//	∂L/∂w = −mean_i σ(−m_i)·(y_i·x_i − Eps·sign(w)),   ∂L/∂b = −mean_i σ(−m_i)·y_i,
//
// where sign(0) = 0 (a subgradient; the kink at w_j = 0 is where the ε-term makes weights exactly
// zero and keep them small). It returns the recorded points. It panics on bad parameters or
// ragged data (programmer errors).
func TrainLogistic(x [][]float64, y []float64, p LogisticParams) []LogisticPoint {
	if len(x) == 0 || len(x) != len(y) || !(p.LR > 0) || p.Steps < 1 || p.RecordEvery < 1 || !(p.Eps >= 0) {
		panic(fmt.Sprintf("attacks: TrainLogistic: %d samples, %d labels, params %+v", len(x), len(y), p))
	}
	d := len(x[0])
	for i := range x {
		if len(x[i]) != d || (y[i] != 1 && y[i] != -1) {
			panic(fmt.Sprintf("attacks: TrainLogistic: sample %d has %d features (want %d) or label %v (want ±1)", i, len(x[i]), d, y[i]))
		}
	}
	w := make([]float64, d)
	gw := make([]float64, d)
	var b float64
	n := float64(len(x))
	var out []LogisticPoint
	state := func(step int) LogisticPoint {
		var l1, l2, gap, loss float64
		for _, v := range w {
			l1 += math.Abs(v)
			l2 += v * v
		}
		for i := range x {
			s := dot(w, x[i]) + b
			gap += math.Abs(s)
			loss += softplus(-(y[i]*s - p.Eps*l1))
		}
		return LogisticPoint{Step: step, WeightNorm: math.Sqrt(l2), MeanGap: gap / n, Loss: loss / n}
	}
	for step := 1; step <= p.Steps; step++ {
		var l1, gb float64
		for _, v := range w {
			l1 += math.Abs(v)
		}
		clear(gw)
		var sgnSum float64 // Σ_i σ(−m_i), the weight of the −ε·sign(w) term
		for i := range x {
			m := y[i]*(dot(w, x[i])+b) - p.Eps*l1
			s := sigmoid(-m)
			for j, v := range x[i] {
				gw[j] -= s * y[i] * v
			}
			gb -= s * y[i]
			sgnSum += s
		}
		for j := range w {
			g := gw[j] + p.Eps*sgnSum*sign(w[j])
			w[j] -= p.LR * g / n
		}
		b -= p.LR * gb / n
		if step%p.RecordEvery == 0 || step == p.Steps {
			out = append(out, state(step))
		}
	}
	return out
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// sigmoid returns 1/(1+e^−v) without overflow.
func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// softplus returns log(1+e^v) without overflow.
func softplus(v float64) float64 {
	if v > 30 {
		return v + math.Log1p(math.Exp(-v))
	}
	return math.Log1p(math.Exp(v))
}
