package theory

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestOrthogonal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rows, cols int }{{3, 7}, {7, 3}, {5, 5}, {1, 4}} {
		a := make([]float64, tc.rows*tc.cols)
		Orthogonal(a, tc.rows, tc.cols, stream(1, 1))
		// The shorter dimension's vectors are orthonormal: G = A·Aᵀ (wide) or Aᵀ·A (tall) is I.
		n := min(tc.rows, tc.cols)
		g := make([]float64, n*n)
		if tc.rows <= tc.cols {
			gemm(false, true, n, n, tc.cols, 1, a, a, 0, g)
		} else {
			gemm(true, false, n, n, tc.rows, 1, a, a, 0, g)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(g[i*n+j]-want) > 1e-12 {
					t.Fatalf("%d×%d: Gram[%d,%d] = %g, want %g", tc.rows, tc.cols, i, j, g[i*n+j], want)
				}
			}
		}
	}
}

func baseParams() TaskParams {
	return TaskParams{D: 20, Rank: 10, Classes: 10, R: 0.5, SA: 10, SB: 2.5, NoiseScale: 1, NTrain: 50, NTrain2: 100, NTest: 30, Seed: 4}
}

func TestGenerateRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*TaskParams)
		want string
	}{
		{"rank above d/2", func(p *TaskParams) { p.Rank = 11 }, "rank must be ≤ d/2 = 10"},
		{"r above 1", func(p *TaskParams) { p.R = 1.5 }, "relatedness must be in [0, 1]"},
		{"zero signal", func(p *TaskParams) { p.SB = 0 }, "signal strengths must be positive"},
		{"one class", func(p *TaskParams) { p.Classes = 1 }, "at least 2 classes"},
		{"no test points", func(p *TaskParams) { p.NTest = 0 }, "need at least one training and one test point"},
		{"bad validation", func(p *TaskParams) { p.Validation = "sometimes" }, "choose noisy, clean or half"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := baseParams()
			tc.edit(&p)
			_, err := Generate(p)
			if !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Generate: %v, want an ErrParams saying %q", err, tc.want)
			}
		})
	}
}

// TestTeacherGeometry checks the overlaps the generator promises: W1·W1ᵀ = s_a²·I, W2·W2ᵀ = s_b²·I
// and W1·W2ᵀ = r·s_a·s_b·I (the rows of U are orthonormal), and orthogonal teacher heads.
func TestTeacherGeometry(t *testing.T) {
	t.Parallel()
	p := baseParams()
	tk, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	k, d := p.Rank, p.D
	for _, tc := range []struct {
		name string
		a, b []float64
		want float64
	}{
		{"W1·W1ᵀ", tk.Teacher1.W, tk.Teacher1.W, p.SA * p.SA},
		{"W2·W2ᵀ", tk.Teacher2.W, tk.Teacher2.W, p.SB * p.SB},
		{"W1·W2ᵀ", tk.Teacher1.W, tk.Teacher2.W, p.R * p.SA * p.SB},
	} {
		g := make([]float64, k*k)
		gemm(false, true, k, k, d, 1, tc.a, tc.b, 0, g)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				want := 0.0
				if i == j {
					want = tc.want
				}
				if math.Abs(g[i*k+j]-want) > 1e-10 {
					t.Fatalf("%s[%d,%d] = %g, want %g", tc.name, i, j, g[i*k+j], want)
				}
			}
		}
	}
}

// TestTask1IndependentOfTask2 checks that the task-1 data depend neither on r, s_b nor n_train2, and
// that a larger n_train extends the training set (the first points stay the same).
func TestTask1IndependentOfTask2(t *testing.T) {
	t.Parallel()
	a, err := Generate(baseParams())
	if err != nil {
		t.Fatal(err)
	}
	p := baseParams()
	p.R, p.SB, p.NTrain2, p.NTrain = 1, 0.01, 7, 80
	b, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Train1.N * a.Train1.D
	if !slices.Equal(a.Train1.X, b.Train1.X[:n]) || !slices.Equal(a.Train1.Y, b.Train1.Y[:a.Train1.N]) {
		t.Error("the first task-1 training points changed with r, s_b, n_train2 or n_train")
	}
	if !slices.Equal(a.Test1.X, b.Test1.X) || !slices.Equal(a.Test1.Y, b.Test1.Y) {
		t.Error("the task-1 test set changed with r, s_b, n_train2 or n_train")
	}
	again, _ := Generate(baseParams())
	if !slices.Equal(a.Train2.X, again.Train2.X) || !slices.Equal(a.Train2.Y, again.Train2.Y) {
		t.Error("Generate is not deterministic")
	}
}

// TestLabels checks the labelling rules: without noise every label is the teacher's argmax; with
// ValidationClean the test labels are clean while training labels stay noisy; flips of probability 1
// give uniformly random labels; Randomize keeps the labels and permutes the inputs.
func TestLabels(t *testing.T) {
	t.Parallel()
	agree := func(tc *Teacher, ds Dataset) float64 {
		z := make([]float64, tc.Classes)
		n := 0
		for i := 0; i < ds.N; i++ {
			tc.Logits(z, ds.X[i*ds.D:(i+1)*ds.D])
			if argmax(z) == ds.Y[i] {
				n++
			}
		}
		return float64(n) / float64(ds.N)
	}
	p := baseParams()
	p.SA, p.NTrain, p.NTest = 0.1, 2000, 2000 // noise std 0.22 against logits of std 0.1: mostly noise
	p.Validation = ValidationClean
	tk, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if a := agree(&tk.Teacher1, tk.Test1); a != 1 {
		t.Errorf("clean validation: %.3f of test labels are the teacher's argmax, want 1", a)
	}
	if a := agree(&tk.Teacher1, tk.Train1); a > 0.6 {
		t.Errorf("noisy training labels agree with the clean teacher %.3f of the time; noise σ = %.3f should dominate", a, 1/math.Sqrt(20))
	}
	p.Validation = ValidationHalf
	tk, _ = Generate(p)
	if a := agree(&tk.Teacher1, tk.Test1); a < 0.5 || a > 0.75 {
		t.Errorf("half validation: %.3f of test labels clean-agree, want about 0.5 + 0.5·chance", a)
	}
	p = baseParams()
	p.NoiseScale, p.NTrain = 0, 500
	tk, _ = Generate(p)
	if a := agree(&tk.Teacher1, tk.Train1); a != 1 {
		t.Errorf("noise 0: %.3f of labels are the teacher's argmax, want 1", a)
	}
	p.Flip1 = 1
	tk, _ = Generate(p)
	if a := agree(&tk.Teacher1, tk.Train1); a > 0.2 {
		t.Errorf("flip 1: %.3f of labels still agree with the teacher, want about 1/10", a)
	}
	p = baseParams()
	p.NoiseScale, p.NTrain2, p.Randomize = 0, 500, true
	tk, _ = Generate(p)
	if a := agree(&tk.Teacher2, tk.Train2); a > 0.25 {
		t.Errorf("randomize: %.3f of task-2 labels agree with its teacher, want about 1/10", a)
	}
}
