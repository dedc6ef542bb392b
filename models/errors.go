package models

import (
	"errors"
	"fmt"
)

// ErrNonFinite is wrapped by every error that reports a NaN or ±Inf loss or gradient.
var ErrNonFinite = errors.New("models: non-finite value")

// ErrLabel is wrapped by errors for a label outside 0..Classes-1.
var ErrLabel = errors.New("models: label out of range")

// NonFiniteError reports where a NaN or ±Inf first appeared in a training step or a gradient
// computation. A training step that fails this way leaves the parameters unchanged.
type NonFiniteError struct {
	Step  int64  // optimizer steps taken before the failing one; -1 outside training
	Where string // "loss", "grad/<param name>" or "grad/x"
	Index int    // flat index of the first bad element (0 for the loss)
	Value float64
}

func (e *NonFiniteError) Error() string {
	what := e.Where
	if e.Where != "loss" {
		what = fmt.Sprintf("%s[%d]", e.Where, e.Index)
	}
	if e.Step < 0 {
		return fmt.Sprintf("models: %s is %v (non-finite input or weights)", what, e.Value)
	}
	return fmt.Sprintf("models: step %d: %s is %v (diverged, or non-finite input); parameters left unchanged", e.Step, what, e.Value)
}

// Unwrap returns ErrNonFinite.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }

func checkLabels(y []int, classes int) error {
	for i, c := range y {
		if c < 0 || c >= classes {
			return fmt.Errorf("%w: sample %d has label %d, want 0..%d", ErrLabel, i, c, classes-1)
		}
	}
	return nil
}
