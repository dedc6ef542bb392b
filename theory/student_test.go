package theory

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

// TestStudentGradient checks the hand-written backward pass against central finite differences in
// float64, for ReLU and linear trunks of depth 1 and 3, on both heads.
func TestStudentGradient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		spec StudentSpec
		head int
	}{
		{"relu depth 1 head 0", StudentSpec{In: 5, Width: 7, Depth: 1, Classes: 4, Heads: 2}, 0},
		{"relu depth 3 head 1", StudentSpec{In: 5, Width: 6, Depth: 3, Classes: 3, Heads: 2}, 1},
		{"linear depth 2", StudentSpec{In: 4, Width: 6, Depth: 2, Classes: 5, Heads: 1, Linear: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewStudent(tc.spec, 3)
			if err != nil {
				t.Fatal(err)
			}
			n := 9
			r := stream(11, 1)
			x := make([]float64, n*tc.spec.In)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			y := make([]int, n)
			for i := range y {
				y[i] = r.IntN(tc.spec.Classes)
			}
			_, g := s.Gradient(tc.head, x, y, n)
			loss := func() float64 { s.forward(tc.head, x, n); l, _ := s.lossRows(y, n, false); return l }
			check := func(name string, p, grad []float64) {
				for i := range p {
					old := p[i]
					const h = 1e-6
					p[i] = old + h
					up := loss()
					p[i] = old - h
					down := loss()
					p[i] = old
					fd := (up - down) / (2 * h)
					if math.Abs(fd-grad[i]) > 1e-7+1e-5*math.Abs(fd) {
						t.Errorf("%s[%d]: backward %.10g, finite difference %.10g", name, i, grad[i], fd)
					}
				}
			}
			for l := range s.W {
				check("W", s.W[l], g.W[l])
				check("B", s.B[l], g.B[l])
			}
			check("HW", s.HW[tc.head], g.HW)
			check("HB", s.HB[tc.head], g.HB)
		})
	}
}

// TestSharedInit checks that a single-task and a multitask student made with one seed start with the
// same trunk and the same task-1 head, so that their difference is the auxiliary task alone.
func TestSharedInit(t *testing.T) {
	t.Parallel()
	spec := StudentSpec{In: 20, Width: 16, Depth: 3, Classes: 10, Heads: 1}
	a, _ := NewStudent(spec, 9)
	spec.Heads = 2
	b, _ := NewStudent(spec, 9)
	for l := range a.W {
		if !slices.Equal(a.W[l], b.W[l]) || !slices.Equal(a.B[l], b.B[l]) {
			t.Fatalf("trunk layer %d differs", l)
		}
	}
	if !slices.Equal(a.HW[0], b.HW[0]) || !slices.Equal(a.HB[0], b.HB[0]) {
		t.Fatal("head 0 differs")
	}
	if slices.Equal(b.HW[0], b.HW[1]) {
		t.Fatal("the two heads of the multitask student are equal")
	}
}

// TestFit checks the training loop on a small clean problem: the validation loss falls well below
// ln(classes); AuxSteps = 0 on a two-head student gives exactly the single-task run; and a related
// clean auxiliary task changes the result.
func TestFit(t *testing.T) {
	t.Parallel()
	p := TaskParams{D: 20, Rank: 5, Classes: 4, R: 1, SA: 10, SB: 10, NoiseScale: 1, NTrain: 200, NTrain2: 200, NTest: 300, Seed: 2}
	tasks, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	run := func(heads, aux int) FitResult {
		s, err := NewStudent(StudentSpec{In: 20, Width: 32, Depth: 2, Classes: 4, Heads: heads}, 5)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Fit(context.Background(), s, tasks, FitParams{LR: 0.05, Batch: 32, Epochs: 40, AuxSteps: aux, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	single, single2 := run(1, 0), run(2, 0)
	if !slices.Equal(single.Curve, single2.Curve) {
		t.Fatal("a two-head student with no task-2 steps trained differently from a single-task student")
	}
	if single.BestLoss > 0.7*math.Log(4) {
		t.Errorf("best validation loss %.3f: the student did not learn (ln 4 = %.3f)", single.BestLoss, math.Log(4))
	}
	multi := run(2, 1)
	if multi.BestLoss == single.BestLoss {
		t.Error("the auxiliary task changed nothing")
	}
	if _, err := Fit(context.Background(), &Student{spec: StudentSpec{Heads: 1}}, tasks, FitParams{LR: 0.1, Batch: 8, Epochs: 1, AuxSteps: 1}); err == nil {
		t.Error("Fit with task-2 steps and a single head: no error")
	}
}

func TestFitCancelled(t *testing.T) {
	t.Parallel()
	tasks, _ := Generate(TaskParams{D: 4, Rank: 2, Classes: 3, SA: 1, SB: 1, NoiseScale: 1, NTrain: 10, NTest: 5, Seed: 1})
	s, _ := NewStudent(StudentSpec{In: 4, Width: 4, Depth: 1, Classes: 3, Heads: 1}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, s, tasks, FitParams{LR: 0.1, Batch: 4, Epochs: 5}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit after cancel: %v, want context.Canceled", err)
	}
}
