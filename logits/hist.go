package logits

import (
	"fmt"
	"math"
	"sort"
)

// Edges returns bins+1 evenly spaced edges from lo to hi. It panics unless bins ≥ 1 and
// lo < hi are finite.
func Edges(lo, hi float64, bins int) []float64 {
	if bins < 1 || !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		panic(fmt.Sprintf("logits: Edges(%v, %v, %d): want finite lo < hi and bins >= 1", lo, hi, bins))
	}
	e := make([]float64, bins+1)
	for j := range e {
		e[j] = lo + (hi-lo)*float64(j)/float64(bins)
	}
	e[bins] = hi
	return e
}

// EdgesFor returns bins+1 edges spanning the finite values of all the sets, so that their
// histograms share bins. With no finite values it spans [0, 1]; a single value v spans
// [v − 0.5, v + 0.5].
func EdgesFor(bins int, sets ...[]float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range sets {
		for _, v := range s {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	switch {
	case lo > hi:
		lo, hi = 0, 1
	case lo == hi:
		lo, hi = lo-0.5, hi+0.5
	}
	return Edges(lo, hi, bins)
}

// Histogram counts v over the bins of edges (package doc: values outside go to the end bins,
// NaN is skipped). It panics if edges has fewer than 2 entries.
func Histogram(edges, v []float64) []int {
	if len(edges) < 2 {
		panic(fmt.Sprintf("logits: Histogram with %d edges; want at least 2", len(edges)))
	}
	bins := len(edges) - 1
	c := make([]int, bins)
	for _, x := range v {
		if math.IsNaN(x) {
			continue
		}
		// The first edge above x, minus one, is x's bin.
		j := sort.SearchFloat64s(edges, x)
		if j < len(edges) && edges[j] == x {
			j++
		}
		c[min(max(j-1, 0), bins-1)]++
	}
	return c
}
