package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradFiniteDifferences checks the float64 graph's gradient of the mean cross-entropy with
// respect to every parameter tensor (up to 12 entries each) and every input pixel against
// central differences (L(θ+h) − L(θ−h)) / 2h with h = 1e-5.
func TestGradFiniteDifferences(t *testing.T) {
	t.Parallel()
	const h, tol = 1e-5, 1e-6
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"mlp 6-5-3", tinyMLP},
		{"cnn 1x6x6 conv2", tinyCNN},
		{"cnn 2x5x7 conv3-conv2", deepCNN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, err := NewNet(tc.spec, 11)
			if err != nil {
				t.Fatal(err)
			}
			vals := f64Net(n, 12)
			x, y := randData(tc.spec, 3, 13)
			f := newF64Graph(t, tc.spec, vals, x, y)
			_, grads := f.run(t)
			loss := func() float64 { l, _ := f.run(t); return l }

			targets := make([][]float64, 0, len(vals)+1) // parameter data, then the input
			names := make([]string, 0, len(vals)+1)
			for i, v := range vals {
				targets = append(targets, v.Data().([]float64))
				names = append(names, n.info[i].name)
			}
			targets = append(targets, f.gr.xT.Data().([]float64))
			names = append(names, "x")

			rng := rand.New(rand.NewPCG(14, 0))
			worst := checkCentralDiff(t, names, targets, grads, loss, h, tol, func(k int) int {
				if names[k] == "x" {
					return -1 // every pixel
				}
				return 12
			}, rng)
			t.Logf("max relative error %.2g", worst)
		})
	}
}

// TestFloat32GradsMatch checks that the float32 Trainer and InputGrad compute the same
// gradients as the float64 graph (so the public plumbing, padding and scaling are right).
func TestFloat32GradsMatch(t *testing.T) {
	t.Parallel()
	for _, s := range []Spec{tinyMLP, deepCNN} {
		t.Run(s.Arch, func(t *testing.T) {
			t.Parallel()
			n, err := NewNet(s, 21)
			if err != nil {
				t.Fatal(err)
			}
			// Give the float32 net the same random biases as the float64 copy.
			vals := f64Net(n, 22)
			for i := range n.info {
				for j, v := range vals[i].Data().([]float64) {
					n.data(i)[j] = float32(v)
				}
			}
			const k = 5
			x, y := randData(s, k, 23)
			want, wantGrads := newF64Graph(t, s, vals, x, y).run(t)

			// InputGrad with batch 2: three runs, the last padded.
			ig, err := NewInputGrad(n, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer ig.Close()
			dx := make([]float32, len(x))
			loss, err := ig.Grad(dx, x, y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(loss-want) > 1e-5*math.Max(1, want) {
				t.Errorf("InputGrad loss %v, float64 graph %v", loss, want)
			}
			compare(t, "InputGrad dx", dx, wantGrads[len(wantGrads)-1])

			// Trainer with plain SGD (momentum buffer = g on the first step), lr 1:
			// the gradient is p_before − p_after.
			tr, err := NewTrainer(n, k, OptimSpec{Name: OptimSGD, LR: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			before := make([][]float32, len(n.info))
			for i := range n.info {
				before[i] = append([]float32(nil), n.data(i)...)
			}
			if loss, err = tr.Step(x, y); err != nil {
				t.Fatal(err)
			}
			if math.Abs(loss-want) > 1e-5*math.Max(1, want) {
				t.Errorf("Trainer loss %v, float64 graph %v", loss, want)
			}
			for i, p := range n.info {
				g := make([]float32, len(before[i]))
				for j := range g {
					g[j] = before[i][j] - n.data(i)[j]
				}
				compare(t, "Trainer grad "+p.name, g, wantGrads[i])
			}
		})
	}
}

// compare checks float32 values against float64 references to float32 precision.
func compare(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for j := range got {
		if d := math.Abs(float64(got[j]) - want[j]); d > 1e-4*scale+1e-7 {
			t.Errorf("%s[%d] = %v, want %v", what, j, got[j], want[j])
			return
		}
	}
}

// TestGradsDoNotAccumulate: running the training graph twice on the same batch gives the same
// gradients (Gorgonia's dual values would add them up across runs).
func TestGradsDoNotAccumulate(t *testing.T) {
	t.Parallel()
	n, err := NewNet(tinyCNN, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(n, 3, OptimSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x, y := randData(tinyCNN, 3, 2)
	var first [][]float32
	for run := 0; run < 3; run++ {
		setTargets(tr.gr.tT.Data().([]float32), y, tinyCNN.Classes, 1.0/3)
		_, grads, err := tr.run(x)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range grads {
			if run == 0 {
				first = append(first, append([]float32(nil), g...))
				continue
			}
			for j := range g {
				if g[j] != first[i][j] {
					t.Fatalf("run %d: grad of %s[%d] = %v, first run %v", run, n.info[i].name, j, g[j], first[i][j])
				}
			}
		}
		tr.vm.Reset()
	}
}
