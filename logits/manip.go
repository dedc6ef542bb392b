package logits

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Manipulations of a teacher's logits before distillation (Seguin et al. 2021, §5): each keeps
// every sample's predicted class (the argmax, first on ties) and its max logit, and changes
// what the non-max logits say — the order of the incorrect classes, or how confident the
// teacher is. They work in place on n rows of k logits (row-major), one row per sample.

// ShuffleNonMax permutes each row's non-max logits at random: the max stays, the multiset of the
// other values stays, their assignment to classes is destroyed.
func ShuffleNonMax(z []float32, k int, rng *rand.Rand) {
	rest := make([]float32, 0, k)
	for row := range rows(z, k) {
		m := Argmax(row)
		rest = nonMax(rest[:0], row, m)
		rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		putNonMax(row, m, rest)
	}
}

// MeanNonMax replaces each row's non-max logits by their mean: no order among the incorrect
// classes, and (by Jensen) a little more probability on the max than the teacher gave it.
func MeanNonMax(z []float32, k int) {
	for row := range rows(z, k) {
		m := Argmax(row)
		var s float64
		for c, v := range row {
			if c != m {
				s += float64(v)
			}
		}
		mean := float32(s / float64(k-1))
		for c := range row {
			if c != m {
				row[c] = mean
			}
		}
	}
}

// TopOnly sets each row's non-max logits all to one value c chosen so that the softmax at T = 1
// still gives the max class the teacher's probability:
//
//	e^M / (e^M + (k−1)·e^c) = p_max   ⇔   c = log Σ_{j≠max} e^{z_j} − log(k−1)
//
// (the log-mean-exp of the non-max logits). Only the top-1 answer and its confidence remain.
func TopOnly(z []float32, k int) {
	for row := range rows(z, k) {
		m := Argmax(row)
		hi := math.Inf(-1)
		for c, v := range row {
			if c != m {
				hi = max(hi, float64(v))
			}
		}
		var s float64
		for c, v := range row {
			if c != m {
				s += math.Exp(float64(v) - hi)
			}
		}
		val := float32(hi + math.Log(s) - math.Log(float64(k-1)))
		for c := range row {
			if c != m {
				row[c] = val
			}
		}
	}
}

// ReverseNonMax reverses the order of each row's non-max logits: the class the teacher ranked
// second gets the smallest of the non-max values, the one it ranked last the largest. Values
// and max stay; the order of the incorrect classes is the opposite of the teacher's.
func ReverseNonMax(z []float32, k int) {
	idx := make([]int, 0, k)
	vals := make([]float32, 0, k)
	for row := range rows(z, k) {
		m := Argmax(row)
		idx, vals = rankedNonMax(idx[:0], vals[:0], row, m)
		for j, c := range idx {
			row[c] = vals[len(vals)-1-j]
		}
	}
}

// SwapConfidence gives each sample another sample's confidence while keeping its own class
// order: with a random permutation π of the rows and the gap G_i = max − second largest, row i
// becomes
//
//	z'_ij = M_i − (M_i − z_ij) · G_π(i) / G_i,
//
// which keeps its max M_i and the order of its classes and makes its gap G_π(i). Rows whose gap is
// 0 (a tie for the max) are left as they are. Which samples the teacher is sure of is shuffled
// across the data set; the distribution of gaps is unchanged.
func SwapConfidence(z []float32, k int, rng *rand.Rand) {
	n := len(z) / k
	gaps := make([]float64, n)
	for i := range n {
		gaps[i] = rowGap(z[i*k : (i+1)*k])
	}
	perm := rng.Perm(n)
	for i := range n {
		g := gaps[i]
		if !(g > 0) {
			continue
		}
		row := z[i*k : (i+1)*k]
		mv := float64(row[Argmax(row)])
		f := gaps[perm[i]] / g
		for c, v := range row {
			row[c] = float32(mv - (mv-float64(v))*f)
		}
	}
}

// GraftNonMax keeps each row of z's max class and value and the multiset of its non-max values,
// and gives those values to the other classes in the order that the same row of order ranks
// them (largest value to the class order ranks highest, among the classes other than z's max).
// With z the robust teacher's logits and order the standard teacher's, the student sees the
// robust teacher's answer and confidence with the standard teacher's ranking of the incorrect
// classes.
func GraftNonMax(z, order []float32, k int) error {
	if len(order) != len(z) {
		return fmt.Errorf("logits: graft: %d logits to take the order from, want %d (the same samples)", len(order), len(z))
	}
	idx := make([]int, 0, k)
	vals := make([]float32, 0, k)
	oIdx := make([]int, 0, k)
	oVals := make([]float32, 0, k)
	for i := 0; i < len(z)/k; i++ {
		row, orow := z[i*k:(i+1)*k], order[i*k:(i+1)*k]
		m := Argmax(row)
		idx, vals = rankedNonMax(idx[:0], vals[:0], row, m)
		oIdx, oVals = rankedNonMax(oIdx[:0], oVals[:0], orow, m)
		for j, c := range oIdx {
			row[c] = vals[j]
		}
	}
	return nil
}

// Manipulation is a composition of the named manipulations, applied left to right: its text
// form is their names joined by "+", e.g. "shuffle+swapconf"; "none" is the identity.
type Manipulation []string

// Manipulation names.
const (
	ManipNone     = "none"
	ManipShuffle  = "shuffle"
	ManipMean     = "mean"
	ManipTop1     = "top1"
	ManipSwapConf = "swapconf"
	ManipReverse  = "reverse"
	ManipGraft    = "graft"
)

// manipHelp describes each manipulation in one line (for --help and the docs).
func manipHelp() map[string]string {
	return map[string]string{
		ManipNone:     "the teacher's logits as they are",
		ManipShuffle:  "non-max logits shuffled among the incorrect classes",
		ManipMean:     "non-max logits replaced by their mean",
		ManipTop1:     "non-max logits all equal, the max-softmax probability kept",
		ManipSwapConf: "each sample's gap swapped with a random other sample's, class order kept",
		ManipReverse:  "non-max order reversed",
		ManipGraft:    "the robust teacher's max with the standard teacher's non-max order",
	}
}

// ManipHelp returns the one-line description of each manipulation name, in a fixed order.
func ManipHelp() [][2]string {
	var out [][2]string
	h := manipHelp()
	for _, n := range []string{ManipNone, ManipShuffle, ManipMean, ManipTop1, ManipSwapConf, ManipReverse, ManipGraft} {
		out = append(out, [2]string{n, h[n]})
	}
	return out
}

// ParseManipulation parses "name[+name…]".
func ParseManipulation(s string) (Manipulation, error) {
	var m Manipulation
	for _, p := range strings.Split(s, "+") {
		p = strings.TrimSpace(p)
		if _, ok := manipHelp()[p]; !ok {
			names := make([]string, 0, 8)
			for _, h := range ManipHelp() {
				names = append(names, h[0])
			}
			return nil, fmt.Errorf("logits: unknown manipulation %q in %q: use one of %s, or several joined by +", p, s, strings.Join(names, ", "))
		}
		if p != ManipNone {
			m = append(m, p)
		}
	}
	return m, nil
}

// String is the text form.
func (m Manipulation) String() string {
	if len(m) == 0 {
		return ManipNone
	}
	return strings.Join(m, "+")
}

// NeedsOrder reports whether the manipulation takes another model's logits (graft).
func (m Manipulation) NeedsOrder() bool { return slices.Contains(m, ManipGraft) }

// Apply applies the manipulation to z (n rows of k logits) in place. order is the other model's
// logits on the same samples, used by graft (nil otherwise); rng draws the random ones.
func (m Manipulation) Apply(z []float32, k int, order []float32, rng *rand.Rand) error {
	if k < 2 || len(z)%k != 0 {
		return fmt.Errorf("logits: %d logits are not rows of %d classes (need k >= 2)", len(z), k)
	}
	for _, s := range m {
		switch s {
		case ManipShuffle:
			ShuffleNonMax(z, k, rng)
		case ManipMean:
			MeanNonMax(z, k)
		case ManipTop1:
			TopOnly(z, k)
		case ManipSwapConf:
			SwapConfidence(z, k, rng)
		case ManipReverse:
			ReverseNonMax(z, k)
		case ManipGraft:
			if order == nil {
				return fmt.Errorf("logits: graft needs the other teacher's logits")
			}
			if err := GraftNonMax(z, order, k); err != nil {
				return err
			}
		default:
			return fmt.Errorf("logits: unknown manipulation %q", s)
		}
	}
	return nil
}

// NonMaxRankAgreement is the mean over rows of the Spearman correlation between a's and b's
// logits on the classes other than b's argmax: 1 when a orders the incorrect classes exactly
// as b does, about 0 for an unrelated order, −1 for the reverse. Rows where either side is
// constant on those classes count as 0 (no order to agree with).
func NonMaxRankAgreement(a, b []float32, k int) float64 {
	n := len(a) / k
	if n == 0 || k < 3 {
		return math.NaN()
	}
	x, y := make([]float64, 0, k), make([]float64, 0, k)
	var s float64
	for i := range n {
		ra, rb := a[i*k:(i+1)*k], b[i*k:(i+1)*k]
		m := Argmax(rb)
		x, y = x[:0], y[:0]
		for c := range k {
			if c != m {
				x = append(x, float64(ra[c]))
				y = append(y, float64(rb[c]))
			}
		}
		if r := Spearman(x, y); !math.IsNaN(r) {
			s += r
		}
	}
	return s / float64(n)
}

// rows yields the k-wide rows of z.
func rows(z []float32, k int) func(func([]float32) bool) {
	return func(yield func([]float32) bool) {
		for i := 0; i+k <= len(z); i += k {
			if !yield(z[i : i+k]) {
				return
			}
		}
	}
}

// Argmax is the first index of the largest value (the predicted class of a logit row).
func Argmax(row []float32) int {
	m := 0
	for c, v := range row {
		if v > row[m] {
			m = c
		}
	}
	return m
}

// rowGap is the max minus the second largest value.
func rowGap(row []float32) float64 {
	m := Argmax(row)
	second := math.Inf(-1)
	for c, v := range row {
		if c != m {
			second = max(second, float64(v))
		}
	}
	return float64(row[m]) - second
}

// nonMax appends row's values other than at m to dst.
func nonMax(dst, row []float32, m int) []float32 {
	for c, v := range row {
		if c != m {
			dst = append(dst, v)
		}
	}
	return dst
}

// putNonMax writes vals into row's entries other than m, in class order.
func putNonMax(row []float32, m int, vals []float32) {
	j := 0
	for c := range row {
		if c != m {
			row[c] = vals[j]
			j++
		}
	}
}

// rankedNonMax appends to idx the classes other than m in descending order of row's value (ties
// by class), and to vals their values in that order.
func rankedNonMax(idx []int, vals, row []float32, m int) ([]int, []float32) {
	for c := range row {
		if c != m {
			idx = append(idx, c)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case row[a] > row[b]:
			return -1
		case row[a] < row[b]:
			return 1
		}
		return 0
	})
	for _, c := range idx {
		vals = append(vals, row[c])
	}
	return idx, vals
}
