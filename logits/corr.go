package logits

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Ranks returns the 1-based ranks of v, ties given their average rank (3 tied for ranks 4–6 all
// get 5). It panics if v holds a NaN.
func Ranks(v []float64) []float64 {
	idx := order(v)
	r := make([]float64, len(v))
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && v[idx[hi]] == v[idx[lo]] {
			hi++
		}
		avg := float64(lo+hi+1) / 2 // mean of lo+1 … hi
		for _, i := range idx[lo:hi] {
			r[i] = avg
		}
		lo = hi
	}
	return r
}

// order returns the indices of v sorted by value, stably; it panics on NaN.
func order(v []float64) []int {
	idx := make([]int, len(v))
	for i, x := range v {
		if math.IsNaN(x) {
			panic(fmt.Sprintf("logits: value %d is NaN; rank statistics need ordered values", i))
		}
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	return idx
}

// Pearson returns the correlation coefficient of a and b, NaN if either is constant. It panics
// if their lengths differ.
func Pearson(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("logits: Pearson of %d and %d values", len(a), len(b)))
	}
	ma, mb := Mean(a), Mean(b)
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}

// Spearman returns Spearman's rank correlation ρ of a and b (average ranks for ties), NaN if
// either is constant or there are fewer than 2 values. It panics on NaN values or unequal
// lengths.
func Spearman(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("logits: Spearman of %d and %d values", len(a), len(b)))
	}
	if len(a) < 2 {
		return math.NaN()
	}
	return Pearson(Ranks(a), Ranks(b))
}

// Kendall returns Kendall's τ_b of a and b in O(n log n) (package doc), NaN if either is constant
// or there are fewer than 2 values. It panics on NaN values or unequal lengths.
func Kendall(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("logits: Kendall of %d and %d values", len(a), len(b)))
	}
	n := len(a)
	if n < 2 {
		return math.NaN()
	}
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			panic(fmt.Sprintf("logits: value %d is NaN; rank statistics need ordered values", i))
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(a[i], a[j]); c != 0 {
			return c
		}
		return cmp.Compare(b[i], b[j])
	})
	// Pairs tied in a (n1) and tied in both (n3), from runs of the sorted order.
	var n1, n3 int64
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && a[idx[hi]] == a[idx[lo]] {
			hi++
		}
		t := int64(hi - lo)
		n1 += t * (t - 1) / 2
		for l2 := lo; l2 < hi; {
			h2 := l2 + 1
			for h2 < hi && b[idx[h2]] == b[idx[l2]] {
				h2++
			}
			u := int64(h2 - l2)
			n3 += u * (u - 1) / 2
			l2 = h2
		}
		lo = hi
	}
	// Discordant pairs: the swaps a stable merge sort by b needs (pairs equal in b never swap).
	bs := make([]float64, n)
	for k, i := range idx {
		bs[k] = b[i]
	}
	swaps := mergeCount(bs, make([]float64, n))
	// Pairs tied in b (n2), now that bs is sorted.
	var n2 int64
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && bs[hi] == bs[lo] {
			hi++
		}
		u := int64(hi - lo)
		n2 += u * (u - 1) / 2
		lo = hi
	}
	n0 := int64(n) * int64(n-1) / 2
	// n_c − n_d = n0 − n1 − n2 + n3 − 2·n_d
	num := float64(n0-n1-n2+n3) - 2*float64(swaps)
	den := math.Sqrt(float64(n0-n1)) * math.Sqrt(float64(n0-n2))
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// mergeCount sorts v in place (stably, by value) using buf as scratch and returns the number of
// inversions: pairs i < j with v[i] > v[j].
func mergeCount(v, buf []float64) int64 {
	n := len(v)
	if n < 2 {
		return 0
	}
	h := n / 2
	c := mergeCount(v[:h], buf[:h]) + mergeCount(v[h:], buf[h:])
	i, j, k := 0, h, 0
	for i < h && j < n {
		if v[j] < v[i] {
			buf[k] = v[j]
			c += int64(h - i)
			j++
		} else {
			buf[k] = v[i]
			i++
		}
		k++
	}
	k += copy(buf[k:], v[i:h])
	copy(buf[k:], v[j:])
	copy(v, buf[:n])
	return c
}

// Extremes returns the indices of the k samples with the largest a[i] − b[i] (where a is far
// above b), in decreasing order of the difference, and the k with the largest b[i] − a[i]. Ties
// keep the lower index first. k is capped at len(a).
func Extremes(a, b []float64, k int) (aOverB, bOverA []int) {
	if len(a) != len(b) {
		panic(fmt.Sprintf("logits: Extremes of %d and %d values", len(a), len(b)))
	}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	idx := make([]int, len(a))
	for i := range idx {
		idx[i] = i
	}
	k = min(max(k, 0), len(a))
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(d[j], d[i]) })
	aOverB = slices.Clone(idx[:k])
	slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(d[i], d[j]) })
	bOverA = slices.Clone(idx[:k])
	return aOverB, bOverA
}

// Percentiles returns each value's rank divided by the count (average ranks for ties), in (0, 1]:
// a scale-free "how sure is this model of this sample, compared with its other samples".
func Percentiles(v []float64) []float64 {
	r := Ranks(v)
	for i := range r {
		r[i] /= float64(len(v))
	}
	return r
}
