package attacks

import (
	"context"
	"testing"
)

func checkByName(r Report, name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// TestCheckMasking: a healthy linear model passes every check; the same model with its input
// gradient zeroed (a deliberately masked model) fails the zero-gradient, large-ε and transfer
// checks; a model whose gradient points the wrong way exactly at the clean inputs (how
// catastrophic overfitting looks: FGSM fails, PGD from a random start succeeds) fails the
// catastrophic-overfitting check.
func TestCheckMasking(t *testing.T) {
	t.Parallel()
	base := randLinear(4, 16, 21)
	x, y := labelled(base, 300, 0, 1, 22)
	masked := &linear{w: base.w, b: base.b, zero: true}
	for _, tc := range []struct {
		name     string
		m        Model
		wantFail []string // exactly these checks fail
	}{
		{"healthy", base, nil},
		{"zero gradient", masked, []string{CheckLargeEps, CheckTransfer, CheckNonZeroGrad}},
		{"gradient trap at the data", &trap{Model: base, clean: x}, []string{CheckCatastrophic}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := CheckMasking(context.Background(), tc.m, x, y, CheckParams{
				Attack: Madry(0.1, 20, 2), Source: base, SourceName: "standard",
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Checks {
				t.Logf("%-30s pass=%v value=%.3f limit=%.3f  %s", c.Name, c.Pass, c.Value, c.Limit, c.Detail)
			}
			if len(rep.Checks) != 6 {
				t.Fatalf("%d checks, want 6", len(rep.Checks))
			}
			var failed []string
			for _, c := range rep.Checks {
				if !c.Pass {
					failed = append(failed, c.Name)
				}
			}
			if len(failed) != len(tc.wantFail) || rep.Pass != (len(failed) == 0) {
				t.Fatalf("failed checks %v, want %v (pass=%v)", failed, tc.wantFail, rep.Pass)
			}
			for _, name := range tc.wantFail {
				if c, ok := checkByName(rep, name); !ok || c.Pass {
					t.Errorf("check %q did not fail", name)
				}
			}
			if _, ok := rep.Acc["PGD-20×2"]; !ok {
				t.Errorf("report lacks the evaluation attack's accuracy: %v", rep.Acc)
			}
		})
	}
}
