//go:build !amd64

package ops

// gate32Vec has no vector version on this architecture: gate32's scalar loop does it all.
func gate32Vec(y, s, a, b []float32) int { return 0 }

// gatedBackward32Vec has no vector version on this architecture.
func gatedBackward32Vec(wrtB bool, y, dy, sig, out []float32) int { return 0 }
