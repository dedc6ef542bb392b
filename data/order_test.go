package data

import (
	"fmt"
	"slices"
	"testing"
)

func TestEpochOrder(t *testing.T) {
	t.Parallel()
	// Pinned from this implementation (PCG output is specified by math/rand/v2, the shuffle is ours):
	// if this changes, resumed runs would no longer replay their epochs.
	for _, tc := range []struct {
		n     int
		seed  uint64
		epoch int
		want  []int
	}{
		{10, 1, 0, []int{7, 6, 1, 3, 2, 4, 8, 9, 0, 5}},
		{10, 1, 1, []int{2, 5, 8, 3, 4, 1, 7, 6, 0, 9}},
		{10, 2, 0, []int{4, 2, 9, 5, 8, 0, 1, 3, 7, 6}},
		{1, 7, 3, []int{0}},
		{0, 7, 3, []int{}},
	} {
		if got := EpochOrder(tc.n, tc.seed, tc.epoch); !slices.Equal(got, tc.want) {
			t.Errorf("EpochOrder(%d, %d, %d) = %v, want %v", tc.n, tc.seed, tc.epoch, got, tc.want)
		}
	}
	for _, n := range []int{2, 17, 1000} {
		got := EpochOrder(n, 42, 5)
		sorted := slices.Sorted(slices.Values(got))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("EpochOrder(%d) is not a permutation: %v", n, got)
			}
		}
		if !slices.Equal(got, EpochOrder(n, 42, 5)) {
			t.Errorf("EpochOrder(%d, 42, 5) differs between calls", n)
		}
	}
}

// TestEpochOrderUniform: over 6000 epochs the 6 orders of 3 items each appear about 1000 times.
// Pearson's χ² with 5 degrees of freedom exceeds 25.7 with probability 1e-4.
func TestEpochOrderUniform(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	const epochs = 6000
	for e := range epochs {
		counts[fmt.Sprint(EpochOrder(3, 9, e))]++
	}
	if len(counts) != 6 {
		t.Fatalf("saw %d distinct orders of 3 items, want 6: %v", len(counts), counts)
	}
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c) - epochs/6
		chi2 += d * d / (epochs / 6)
	}
	if chi2 > 25.7 {
		t.Errorf("χ² = %.1f over %v, want ≤ 25.7", chi2, counts)
	}
}
