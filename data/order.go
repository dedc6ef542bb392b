package data

import (
	"math/bits"
	"math/rand/v2"
)

// EpochOrder returns the order in which an epoch visits n samples: a permutation of [0, n) drawn from
// a PCG generator seeded with (seed, epoch), so a resumed run reproduces any epoch's order from the run
// seed and the epoch number alone, without saved RNG state. Different epochs of one seed, and the same
// epoch of different seeds, get independent streams.
//
// The shuffle is Fisher–Yates driven by PCG.Uint64 (whose output math/rand/v2 specifies exactly) with
// Lemire's multiply-and-reject bounded draw, both written here so the order cannot change with a Go
// release. It panics if n < 0.
func EpochOrder(n int, seed uint64, epoch int) []int {
	if n < 0 {
		panic("data: EpochOrder with negative n")
	}
	pcg := rand.NewPCG(seed, uint64(epoch))
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(uint64n(pcg, uint64(i)+1))
		order[i], order[j] = order[j], order[i]
	}
	return order
}

// uint64n returns a uniform draw from [0, bound) (Lemire, "Fast random integer generation in an
// interval", ACM TOMACS 2019): the high word of x·bound, rejecting the few low words that would bias it.
func uint64n(src rand.Source, bound uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), bound)
	if lo < bound {
		threshold := -bound % bound
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), bound)
		}
	}
	return hi
}
