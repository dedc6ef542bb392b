package logits

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestManipulationsExact(t *testing.T) {
	t.Parallel()
	lme := float32(math.Log((math.Exp(1) + math.Exp(2) + math.Exp(0)) / 3)) // log-mean-exp of 1, 2, 0
	for _, tc := range []struct {
		name  string
		apply func(z []float32) error
		in    []float32
		want  []float32
	}{
		{"mean", func(z []float32) error { MeanNonMax(z, 4); return nil },
			[]float32{1, 5, 2, 0, 9, 0, 3, 3}, []float32{1, 5, 1, 1, 9, 2, 2, 2}},
		{"top1", func(z []float32) error { TopOnly(z, 4); return nil },
			[]float32{1, 5, 2, 0}, []float32{lme, 5, lme, lme}},
		{"reverse", func(z []float32) error { ReverseNonMax(z, 4); return nil },
			[]float32{1, 5, 2, 0, 7, 3, 2, 1}, []float32{1, 5, 0, 2, 7, 1, 2, 3}},
		{"reverse keeps the first of tied maxima", func(z []float32) error { ReverseNonMax(z, 3); return nil },
			[]float32{4, 4, 1}, []float32{4, 1, 4}},
		{"graft: z's values and max, order's ranking", func(z []float32) error {
			return GraftNonMax(z, []float32{0, 9, 1, 5}, 4) // order ranks classes (excluding z's max 1): 3 > 2 > 0
		}, []float32{1, 5, 2, 0}, []float32{0, 5, 1, 2}},
		{"swapconf with two rows swaps their gaps", func(z []float32) error {
			// rng chosen so that the permutation of 2 rows is the swap (checked below).
			SwapConfidence(z, 3, rand.New(rand.NewPCG(1, 1)))
			return nil
		}, []float32{4, 3, 0, 10, 6, 2}, []float32{4, 0, -12, 10, 9, 8}},
		{"none parses to the identity", func(z []float32) error {
			m, err := ParseManipulation("none")
			if err != nil {
				return err
			}
			return m.Apply(z, 2, nil, nil)
		}, []float32{1, 2}, []float32{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := slices.Clone(tc.in)
			if err := tc.apply(z); err != nil {
				t.Fatal(err)
			}
			for i := range z {
				if math.Abs(float64(z[i]-tc.want[i])) > 1e-5 {
					t.Fatalf("got %v, want %v", z, tc.want)
				}
			}
		})
	}
	if p := rand.New(rand.NewPCG(1, 1)).Perm(2); p[0] != 1 {
		t.Fatalf("the swapconf case assumes PCG(1,1).Perm(2) = [1 0], got %v", p)
	}
}

// TestManipulationInvariants checks, on random logits, what each manipulation promises to keep:
// every row's argmax and max value; the multiset of non-max values (shuffle, reverse, graft);
// the max-softmax probability (top1); the multiset of gaps and each row's class order (swapconf).
func TestManipulationInvariants(t *testing.T) {
	t.Parallel()
	const n, k = 200, 10
	rng := rand.New(rand.NewPCG(7, 7))
	base, other := make([]float32, n*k), make([]float32, n*k)
	for i := range base {
		base[i] = float32(4 * rng.NormFloat64())
		other[i] = float32(4 * rng.NormFloat64())
	}
	for _, name := range []string{"shuffle", "mean", "top1", "swapconf", "reverse", "graft", "shuffle+swapconf", "graft+top1"} {
		t.Run(name, func(t *testing.T) {
			m, err := ParseManipulation(name)
			if err != nil {
				t.Fatal(err)
			}
			z := slices.Clone(base)
			if err := m.Apply(z, k, other, rand.New(rand.NewPCG(3, 4))); err != nil {
				t.Fatal(err)
			}
			changed := false
			for i := range n {
				in, out := base[i*k:(i+1)*k], z[i*k:(i+1)*k]
				mi := Argmax(in)
				if Argmax(out) != mi || (out[mi] != in[mi] && name != "swapconf") {
					t.Fatalf("row %d: max moved or changed: %v -> %v", i, in, out)
				}
				if !slices.Equal(in, out) {
					changed = true
				}
				switch name {
				case "shuffle", "reverse", "graft":
					a, b := nonMax(nil, in, mi), nonMax(nil, out, mi)
					slices.Sort(a)
					slices.Sort(b)
					if !slices.Equal(a, b) {
						t.Fatalf("row %d: non-max values changed: %v -> %v", i, a, b)
					}
				case "top1":
					if d := math.Abs(maxProb(in) - maxProb(out)); d > 1e-5 {
						t.Fatalf("row %d: max softmax probability %v -> %v", i, maxProb(in), maxProb(out))
					}
				case "swapconf":
					if rs := Spearman(f64(in), f64(out)); rs < 1-1e-9 {
						t.Fatalf("row %d: class order changed (spearman %v)", i, rs)
					}
				}
			}
			if !changed {
				t.Fatal("nothing changed")
			}
			if name == "swapconf" {
				a, b := make([]float64, n), make([]float64, n)
				for i := range n {
					a[i], b[i] = rowGap(base[i*k:(i+1)*k]), rowGap(z[i*k:(i+1)*k])
				}
				slices.Sort(a)
				slices.Sort(b)
				for i := range a {
					if math.Abs(a[i]-b[i]) > 1e-4*math.Max(1, a[i]) {
						t.Fatalf("gap multiset changed at %d: %v vs %v", i, a[i], b[i])
					}
				}
			}
			agree := NonMaxRankAgreement(z, base, k)
			switch name {
			case "reverse":
				if agree > -0.99 {
					t.Errorf("rank agreement of reversed logits %v, want -1", agree)
				}
			case "swapconf":
				if agree < 0.99 {
					t.Errorf("rank agreement after swapconf %v, want 1", agree)
				}
			case "shuffle":
				if math.Abs(agree) > 0.1 {
					t.Errorf("rank agreement after shuffle %v, want about 0", agree)
				}
			}
		})
	}
}

func TestParseManipulationErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "shufle", "mean+", "top1+nope"} {
		if _, err := ParseManipulation(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
	m, err := ParseManipulation(" shuffle + graft ")
	if err != nil || m.String() != "shuffle+graft" || !m.NeedsOrder() {
		t.Errorf("got %v %v", m, err)
	}
	if err := m.Apply(make([]float32, 6), 3, nil, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("graft without the other teacher's logits: no error")
	}
	if err := (Manipulation{}).Apply(make([]float32, 5), 3, nil, nil); err == nil {
		t.Error("5 logits in rows of 3: no error")
	}
}

func maxProb(row []float32) float64 {
	m := float64(row[Argmax(row)])
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return 1 / s
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
