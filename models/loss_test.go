package models

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// closedLSM is the float64 reference log-softmax: z − m − log Σ exp(z − m), m = max z.
func closedLSM(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range z {
		s += math.Exp(v - m)
	}
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = v - m - math.Log(s)
	}
	return out
}

// TestCrossEntropyStable runs logSoftmax and crossEntropy (and the gradient of the loss by the
// logits, which must equal softmax − T) on rows that overflow a naive softmax, and on rows far
// apart from each other, which break G.LogSoftMax in tensor v0.9.24 (it takes the row max from
// the first row).
func TestCrossEntropyStable(t *testing.T) {
	t.Parallel()
	rows := [][]float64{
		{1000, 0, -1000},
		{0, 0, 0},   // ln 3 each: 1.0986122886681098
		{100, 0, 0}, // differs from the previous row by 100
		{-10, -10, -10},
		{1, 2, 3}, // log-sum-exp 3.4076059644443806 (G.LogSumExp says 1.5048)
		{-500, 300, 299.5},
	}
	labels := []int{1, 0, 0, 2, 2, 1}
	const B, K = 6, 3
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			t.Parallel()
			// Two graphs: the TapeMachine may overwrite intermediate values in place during the
			// backward pass, so the log-softmax is read from a forward-only graph.
			build := func() (*G.ExprGraph, *G.Node, *G.Node) {
				g := G.NewGraph()
				zT := tensor.New(tensor.Of(dt), tensor.WithShape(B, K))
				tT := tensor.New(tensor.Of(dt), tensor.WithShape(B, K))
				for i, r := range rows {
					for j, v := range r {
						zT.SetAt(convert(dt, v), i, j)
					}
					tT.SetAt(convert(dt, 1.0/B), i, labels[i])
				}
				z := G.NewMatrix(g, dt, G.WithShape(B, K), G.WithName("z"), G.WithValue(zT))
				target := G.NewMatrix(g, dt, G.WithShape(B, K), G.WithName("t"), G.WithValue(tT))
				return g, z, target
			}
			run := func(g *G.ExprGraph) {
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
			}
			g1, z1, _ := build()
			lsm, err := logSoftmax(z1)
			if err != nil {
				t.Fatal(err)
			}
			run(g1)
			g2, z, target := build()
			loss, err := crossEntropy(z, target)
			if err != nil {
				t.Fatal(err)
			}
			gz, err := G.Grad(loss, z)
			if err != nil {
				t.Fatal(err)
			}
			run(g2)
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-4 // relative, on values up to 2000
			}
			got := asF64(lsm.Value())
			grad := asF64(gz[0].Value())
			wantLoss := 0.0
			for i, r := range rows {
				want := closedLSM(r)
				wantLoss -= want[labels[i]] / B
				for j := range r {
					if g, w := got[i*K+j], want[j]; math.IsNaN(g) || math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
						t.Errorf("lsm row %v [%d] = %v, want %v", r, j, g, w)
					}
					wg := math.Exp(want[j]) / B // softmax − T, over B from the mean
					if j == labels[i] {
						wg -= 1.0 / B
					}
					if g := grad[i*K+j]; math.IsNaN(g) || math.Abs(g-wg) > 1e-6 {
						t.Errorf("dL/dz row %v [%d] = %v, want %v", r, j, g, wg)
					}
				}
			}
			if l := scalar(loss.Value()); math.Abs(l-wantLoss) > tol*wantLoss {
				t.Errorf("loss = %v, want %v", l, wantLoss)
			}
		})
	}
}

func convert(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

func asF64(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	return nil
}

// TestRowNLL checks Evaluate's float64 per-row loss against closed forms.
func TestRowNLL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		z      []float32
		c      int
		want   float64 // closed form
		argmax int
	}{
		{[]float32{0, 0, 0}, 1, math.Log(3), 0},            // ln 3, first index on ties
		{[]float32{1000, 0, -1000}, 0, 0, 0},               // log1p(e^-1000 + e^-2000) ≈ 0
		{[]float32{1000, 0, -1000}, 2, 2000, 0},            // 1000 − (−1000)
		{[]float32{1, 2, 3}, 0, 3.4076059644443806 - 1, 2}, // logsumexp([1,2,3]) − 1
	} {
		got, am := rowNLL(tc.z, tc.c)
		if math.Abs(got-tc.want) > 1e-12*math.Max(1, tc.want) || am != tc.argmax {
			t.Errorf("rowNLL(%v, %d) = %v, %d; want %v, %d", tc.z, tc.c, got, am, tc.want, tc.argmax)
		}
	}
}
