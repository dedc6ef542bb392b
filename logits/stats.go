package logits

import (
	"fmt"
	"math"
	"slices"
)

// Stats holds per-sample logit statistics (see the package doc), one entry per sample.
type Stats struct {
	Max     []float64 // M, the largest logit
	Gap     []float64 // G, the largest minus the second largest
	Conf    []float64 // C, the softmax probability of the predicted class
	LogOdds []float64 // O = log(C/(1−C)), the same order as C without saturating
	Pred    []int     // argmax, the first index on ties
}

// Compute returns the statistics of the len(z)/classes samples whose logits z holds (row-major).
// It panics if classes < 2 or len(z) is not a multiple of classes.
func Compute(z []float32, classes int) Stats {
	if classes < 2 || len(z)%classes != 0 {
		panic(fmt.Sprintf("logits: Compute: %d values is not a whole number of rows of %d ≥ 2 classes", len(z), classes))
	}
	n := len(z) / classes
	s := Stats{
		Max: make([]float64, n), Gap: make([]float64, n), Conf: make([]float64, n),
		LogOdds: make([]float64, n), Pred: make([]int, n),
	}
	for i := 0; i < n; i++ {
		s.Max[i], s.Gap[i], s.Conf[i], s.LogOdds[i], s.Pred[i] = Row(z[i*classes : (i+1)*classes])
	}
	return s
}

// Row returns M, G, C, O and the prediction of one sample's logits (len(z) ≥ 2).
func Row(z []float32) (maxLogit, gap, conf, logOdds float64, pred int) {
	m1, m2 := math.Inf(-1), math.Inf(-1)
	for k, v := range z {
		f := float64(v)
		switch {
		case f > m1:
			m1, m2, pred = f, m1, k
		case f > m2:
			m2 = f
		}
	}
	var rest float64 // Σ_{k≠pred} exp(z_k − M)
	for k, v := range z {
		if k != pred {
			rest += math.Exp(float64(v) - m1)
		}
	}
	return m1, m1 - m2, 1 / (1 + rest), -math.Log(rest), pred
}

// Len returns the number of samples.
func (s Stats) Len() int { return len(s.Max) }

// Subset returns the statistics of the listed samples, in that order.
func (s Stats) Subset(idx []int) Stats {
	out := Stats{
		Max: make([]float64, len(idx)), Gap: make([]float64, len(idx)), Conf: make([]float64, len(idx)),
		LogOdds: make([]float64, len(idx)), Pred: make([]int, len(idx)),
	}
	for j, i := range idx {
		out.Max[j], out.Gap[j], out.Conf[j], out.LogOdds[j], out.Pred[j] = s.Max[i], s.Gap[i], s.Conf[i], s.LogOdds[i], s.Pred[i]
	}
	return out
}

// Summary is the mean and median of M and G, and the mean confidence, over a set of samples.
type Summary struct {
	MeanMax    float64 `json:"mean_max_logit"`
	MedianMax  float64 `json:"median_max_logit"`
	MeanGap    float64 `json:"mean_gap"`
	MedianGap  float64 `json:"median_gap"`
	MeanConf   float64 `json:"mean_confidence"`
	MedianConf float64 `json:"median_confidence"`
}

// Summarize returns s's summary (NaN fields for no samples).
func Summarize(s Stats) Summary {
	return Summary{
		MeanMax: Mean(s.Max), MedianMax: Median(s.Max),
		MeanGap: Mean(s.Gap), MedianGap: Median(s.Gap),
		MeanConf: Mean(s.Conf), MedianConf: Median(s.Conf),
	}
}

// Mean returns the arithmetic mean of v, NaN if v is empty.
func Mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Median returns the median of v (the mean of the two middle values for an even count), NaN if
// v is empty. It does not change v.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}

// MeanSD returns the mean and the sample standard deviation (n−1 in the denominator; 0 for a
// single value) of v, NaN for no values.
func MeanSD(v []float64) (mean, sd float64) {
	mean = Mean(v)
	if len(v) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1))
}
