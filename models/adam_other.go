//go:build !amd64

package models

// adamVec has no vector version on this architecture: adamRange's scalar loop does it all.
func adamVec(p, g, m, v []float32, c *adamConsts, fg, fv uint32) int { return 0 }

// zeroSumVec has no vector version on this architecture.
func zeroSumVec(xs []float32) (sum float32, done int) { return 0, 0 }
