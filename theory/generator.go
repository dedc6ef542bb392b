package theory

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Validation says how the task-1 test (validation) labels are made.
type Validation string

// Validation modes.
const (
	// ValidationNoisy labels test points like training points, with logit noise (the authors' default).
	ValidationNoisy Validation = "noisy"
	// ValidationClean labels test points without logit noise (what --clean_validation was meant to do).
	ValidationClean Validation = "clean"
	// ValidationHalf is what the authors' --clean_validation actually does: it labels half of the
	// generated pool with noise and half without, then shuffles the pool before splitting it into
	// training and test halves, so each training and each test point has a clean label with
	// probability 1/2.
	ValidationHalf Validation = "half"
)

// TaskParams configures the two-task teacher–student classification problem of Lee & Ndirango (2019),
// as their data.py makes it.
type TaskParams struct {
	D       int // input dimension (20 in the paper)
	Rank    int // rank of each teacher's feature layer; must be ≤ D/2
	Classes int // classes per task (not recorded by the authors; 10 fits their numbers)

	R      float64 // relatedness: cosine between the teachers' feature subspaces, in [0, 1]
	SA, SB float64 // signal strengths (singular-value scales) of teacher 1 and teacher 2, > 0

	NoiseScale float64    // logit noise std is NoiseScale·√(1/D) (1 in the paper)
	Validation Validation // "" means ValidationNoisy
	Flip1      float64    // probability of replacing a task-1 label by a uniformly random class
	Flip2      float64    // same for task 2
	ExpValues  bool       // singular values exp(−i)/Σ exp(−j) instead of all ones
	Randomize  bool       // null control: shuffle the task-2 inputs, cutting them from their labels

	NTrain  int // task-1 training points
	NTrain2 int // task-2 training points (0: none generated)
	NTest   int // task-1 test points

	Seed uint64
}

// ErrParams marks task parameters that cannot make a problem.
var ErrParams = errors.New("theory: invalid task parameters")

// Validate reports the first parameter that cannot make a problem, worded for the person who set it.
func (p TaskParams) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrParams}, a...)...)
	}
	switch {
	case p.D < 2:
		return bad("d = %d: the input dimension must be at least 2", p.D)
	case p.Rank < 1:
		return bad("rank = %d: each teacher needs rank ≥ 1", p.Rank)
	case p.Rank > p.D/2:
		return bad("rank = %d with d = %d: the two teachers' feature subspaces come from one orthogonal "+
			"(2·rank × d) matrix, so rank must be ≤ d/2 = %d; lower the rank or raise d", p.Rank, p.D, p.D/2)
	case p.Classes < 2:
		return bad("classes = %d: a classifier needs at least 2 classes", p.Classes)
	case !(p.R >= 0 && p.R <= 1):
		return bad("r = %g: the relatedness must be in [0, 1]", p.R)
	case !(p.SA > 0) || !(p.SB > 0) || math.IsInf(p.SA, 0) || math.IsInf(p.SB, 0):
		return bad("s_a = %g, s_b = %g: signal strengths must be positive and finite", p.SA, p.SB)
	case !(p.NoiseScale >= 0) || math.IsInf(p.NoiseScale, 0):
		return bad("noise scale %g must be ≥ 0 and finite", p.NoiseScale)
	case !(p.Flip1 >= 0 && p.Flip1 <= 1) || !(p.Flip2 >= 0 && p.Flip2 <= 1):
		return bad("label flip probabilities %g, %g must be in [0, 1]", p.Flip1, p.Flip2)
	case p.NTrain < 1 || p.NTest < 1 || p.NTrain2 < 0:
		return bad("n_train = %d, n_test = %d, n_train2 = %d: need at least one training and one test point",
			p.NTrain, p.NTest, p.NTrain2)
	}
	switch p.Validation {
	case "", ValidationNoisy, ValidationClean, ValidationHalf:
	default:
		return bad("validation %q: choose noisy, clean or half", p.Validation)
	}
	return nil
}

// Dataset is N points of dimension D (row-major X) with labels in [0, Classes).
type Dataset struct {
	N, D int
	X    []float64
	Y    []int
}

// Teacher is a linear two-layer teacher without bias: logits = Head·(W·x) (+ noise).
type Teacher struct {
	Rank, D, Classes int
	W                []float64 // Rank×D: the scaled feature rows
	Head             []float64 // Classes×Rank, orthogonal
}

// Logits writes the teacher's noiseless logits for x (length D) into dst (length Classes).
func (t *Teacher) Logits(dst, x []float64) {
	h := make([]float64, t.Rank)
	for i := 0; i < t.Rank; i++ {
		var s float64
		row := t.W[i*t.D : (i+1)*t.D]
		for j, v := range row {
			s += v * x[j]
		}
		h[i] = s
	}
	for c := 0; c < t.Classes; c++ {
		var s float64
		for i := 0; i < t.Rank; i++ {
			s += t.Head[c*t.Rank+i] * h[i]
		}
		dst[c] = s
	}
}

// Tasks is a generated two-task problem.
type Tasks struct {
	Params             TaskParams
	Train1, Test1      Dataset
	Train2             Dataset // empty when NTrain2 = 0
	Teacher1, Teacher2 Teacher
}

// Random streams of the generator, one per purpose (see stream).
const (
	streamSubspace = iota + 1
	streamHead1
	streamHead2
	streamX1
	streamNoise1
	streamX1Test
	streamNoise1Test
	streamX2
	streamNoise2
	streamFlip1
	streamFlip2
	streamRandomize
	streamHalf
)

// Generate makes the problem, following the authors' make_teacher_classification:
//
//	U = orthogonal (2·rank × d);  u1 = U[:rank], u2 = U[rank:]
//	W1 = s_a·S·u1,  W2 = s_b·S·(r·u1 + √(1−r²)·u2),  S = I or diag(exp(−i)/Σ_j exp(−j))
//	w_t = orthogonal (classes × rank)
//	x ~ N(0, I_d) drawn separately per task;  y = argmax(w_t·W_t·x + σ·ξ),  σ = NoiseScale·√(1/d)
//
// Test labels are noisy too (unless Validation says otherwise); label flips replace a label by a
// uniformly random class with the given probability, in training and test sets alike; Randomize
// permutes the task-2 inputs. Every part draws from its own random stream, so the task-1 data do not
// depend on r, s_b or NTrain2, and the first n training points are the same for every NTrain ≥ n.
func Generate(p TaskParams) (*Tasks, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Validation == "" {
		p.Validation = ValidationNoisy
	}
	d, k, c := p.D, p.Rank, p.Classes
	u := make([]float64, 2*k*d)
	Orthogonal(u, 2*k, d, gs(p.Seed, streamSubspace))
	sv := make([]float64, k)
	for i := range sv {
		sv[i] = 1
	}
	if p.ExpValues {
		var sum float64
		for i := range sv {
			sv[i] = math.Exp(-float64(i))
			sum += sv[i]
		}
		for i := range sv {
			sv[i] /= sum
		}
	}
	t1 := Teacher{Rank: k, D: d, Classes: c, W: make([]float64, k*d), Head: make([]float64, c*k)}
	t2 := Teacher{Rank: k, D: d, Classes: c, W: make([]float64, k*d), Head: make([]float64, c*k)}
	cr := math.Sqrt(math.Max(0, 1-p.R*p.R))
	for i := 0; i < k; i++ {
		for j := 0; j < d; j++ {
			u1, u2 := u[i*d+j], u[(k+i)*d+j]
			t1.W[i*d+j] = p.SA * sv[i] * u1
			t2.W[i*d+j] = p.SB * sv[i] * (p.R*u1 + cr*u2)
		}
	}
	Orthogonal(t1.Head, c, k, gs(p.Seed, streamHead1))
	Orthogonal(t2.Head, c, k, gs(p.Seed, streamHead2))

	sigma := p.NoiseScale * math.Sqrt(1/float64(d))
	tasks := &Tasks{Params: p, Teacher1: t1, Teacher2: t2}
	// Labels are noisy except test labels under ValidationClean, and under ValidationHalf, where
	// each point (training or test) is clean with probability 1/2.
	trainNoisy := func(*rand.Rand) bool { return true }
	testNoisy := trainNoisy
	switch p.Validation {
	case ValidationClean:
		testNoisy = func(*rand.Rand) bool { return false }
	case ValidationHalf:
		trainNoisy = func(r *rand.Rand) bool { return r.IntN(2) == 0 }
		testNoisy = trainNoisy
	}
	tasks.Train1 = label(&t1, p.NTrain, sigma, gs(p.Seed, streamX1), gs(p.Seed, streamNoise1),
		gs(p.Seed, streamHalf), trainNoisy)
	tasks.Test1 = label(&t1, p.NTest, sigma, gs(p.Seed, streamX1Test), gs(p.Seed, streamNoise1Test),
		gs(p.Seed, streamHalf+100), testNoisy)
	flip(tasks.Train1.Y, p.Flip1, c, gs(p.Seed, streamFlip1))
	flip(tasks.Test1.Y, p.Flip1, c, gs(p.Seed, streamFlip1+100))
	if p.NTrain2 > 0 {
		tasks.Train2 = label(&t2, p.NTrain2, sigma, gs(p.Seed, streamX2), gs(p.Seed, streamNoise2),
			gs(p.Seed, streamHalf+200), trainNoisy)
		flip(tasks.Train2.Y, p.Flip2, c, gs(p.Seed, streamFlip2))
		if p.Randomize {
			shuffleRows(tasks.Train2.X, d, gs(p.Seed, streamRandomize))
		}
	}
	return tasks, nil
}

// gs is the generator's stream of one purpose; its purposes (1000+) are apart from the students'
// (100–599) and the online theory's (600–799).
func gs(seed, purpose uint64) *rand.Rand { return stream(seed, 1000+purpose) }

// label draws n inputs from xs and labels them with teacher t: y = argmax(logits + σ·ξ) where the
// point is noisy, argmax(logits) where it is not. Noise is drawn for every point, so that whether one
// point is noisy does not shift the noise of the others.
func label(t *Teacher, n int, sigma float64, xs, noise, half *rand.Rand, noisy func(*rand.Rand) bool) Dataset {
	ds := Dataset{N: n, D: t.D, X: make([]float64, n*t.D), Y: make([]int, n)}
	for i := range ds.X {
		ds.X[i] = xs.NormFloat64()
	}
	z := make([]float64, t.Classes)
	for i := 0; i < n; i++ {
		t.Logits(z, ds.X[i*t.D:(i+1)*t.D])
		use := noisy(half)
		for j := range z {
			xi := noise.NormFloat64()
			if use {
				z[j] += sigma * xi
			}
		}
		ds.Y[i] = argmax(z)
	}
	return ds
}

func flip(y []int, prob float64, classes int, rng *rand.Rand) {
	for i := range y {
		// Draw for every label, so that the flip of label i does not depend on prob elsewhere.
		u, c := rng.Float64(), rng.IntN(classes)
		if u < prob {
			y[i] = c
		}
	}
}

// shuffleRows permutes the rows (length d) of x in place.
func shuffleRows(x []float64, d int, rng *rand.Rand) {
	n := len(x) / d
	tmp := make([]float64, d)
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		copy(tmp, x[i*d:(i+1)*d])
		copy(x[i*d:(i+1)*d], x[j*d:(j+1)*d])
		copy(x[j*d:(j+1)*d], tmp)
	}
}

func argmax(z []float64) int {
	best := 0
	for i, v := range z {
		if v > z[best] {
			best = i
		}
	}
	return best
}
