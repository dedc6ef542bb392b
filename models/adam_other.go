//go:build !amd64

package models

// adamVec has no vector version on this architecture: adamRange's scalar loop does it all.
func adamVec(p, g, m, v []float32, c *adamConsts, fg, fv uint32) int { return 0 }

// anyNonFiniteVec has no vector version on this architecture.
func anyNonFiniteVec(xs []float32) (bad bool, done int) { return false, 0 }
