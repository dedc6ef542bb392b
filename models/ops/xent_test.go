package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func oneHotInit(k int) func(i int, v []float64, r *rand.Rand) {
	return func(i int, v []float64, r *rand.Rand) {
		if i != 1 {
			return
		}
		clear(v)
		for row := 0; row < len(v)/k; row++ {
			v[row*k+r.IntN(k)] = 1
		}
	}
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		logits  []float64
		targets []float64
		k       int
		want    float64 // closed forms
	}{
		{"uniform: ln 3", []float64{0, 0, 0}, []float64{0, 1, 0}, 3, math.Log(3)},
		{"huge logit, right class: log1p(2e−1e4) = 0", []float64{1e4, 0, 0}, []float64{1, 0, 0}, 3, 0},
		{"huge logit, wrong class: 1e4 + log1p(…)", []float64{1e4, 0, 0}, []float64{0, 1, 0}, 3, 1e4},
		{"rows far apart (SoftMax row-max bug case)", []float64{0, 0, 0, 100, 0, 0}, []float64{1, 0, 0, 1, 0, 0}, 3,
			(math.Log(3) + math.Log1p(2*math.Exp(-100))) / 2},
		{"soft targets: mean of two CEs", []float64{1, 2}, []float64{0.5, 0.5}, 2,
			0.5*(math.Log(math.Exp(1)+math.Exp(2))-1) + 0.5*(math.Log(math.Exp(1)+math.Exp(2))-2)},
		{"-1e4 logits", []float64{-1e4, 1e4}, []float64{1, 0}, 2, 2e4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.logits) / tc.k
			z := tensor.New(tensor.WithShape(n, tc.k), tensor.WithBacking(tc.logits))
			y := tensor.New(tensor.WithShape(n, tc.k), tensor.WithBacking(tc.targets))
			build := func(in G.Nodes) (*G.Node, error) { return SoftmaxCrossEntropy(in[0], in[1]) }
			got := forward(t, build, z, y)[0]
			if math.Abs(got-tc.want) > 1e-12*math.Max(1, math.Abs(tc.want)) {
				t.Errorf("float64 loss = %v, want %v", got, tc.want)
			}
			got32 := forward(t, build, f32(z), f32(y))[0]
			if math.Abs(got32-tc.want) > 1e-6*math.Max(1, math.Abs(tc.want)) {
				t.Errorf("float32 loss = %v, want %v", got32, tc.want)
			}
		})
	}
}

func TestSoftmaxCrossEntropyGrad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		n, k   int
		lo, hi float64
		soft   bool
	}{
		{"batch1", 1, 4, -3, 3, false},
		{"batch5", 5, 3, -3, 3, false},
		{"soft targets", 4, 5, -2, 2, true},
		{"large logits", 3, 4, 200, 260, false},
	} {
		init := oneHotInit(tc.k)
		if tc.soft {
			init = func(i int, v []float64, r *rand.Rand) {
				if i == 1 {
					for j := range v {
						v[j] = r.Float64()
					}
				}
			}
		}
		gc := gradCase{name: tc.name, shapes: []tensor.Shape{{tc.n, tc.k}, {tc.n, tc.k}}, wrt: []int{0},
			build: func(in G.Nodes) (*G.Node, error) { return SoftmaxCrossEntropy(in[0], in[1]) },
			init:  init, lo: tc.lo, hi: tc.hi}
		t.Logf("%s: max FD error %.2g", tc.name, checkGrads(t, gc))
		checkLisp(t, gc)
		checkF32(t, gc, 1e-4)
	}
}

// At logits ±1e4 the loss and gradient stay finite and the gradient is (p − onehot)/N exactly.
func TestSoftmaxCrossEntropyExtremeGrad(t *testing.T) {
	t.Parallel()
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		zv := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1e4, 0, -1e4, 0, 1e4, 0}))
		tv := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0, 1, 0, 0, 1, 0}))
		if dt == tensor.Float32 {
			zv, tv = f32(zv), f32(tv)
		}
		z := G.NodeFromAny(g, zv, G.WithName("z"))
		y := G.NodeFromAny(g, tv, G.WithName("y"))
		loss := G.Must(SoftmaxCrossEntropy(z, y))
		grads, err := G.Grad(loss, z)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		l, _ := scalarOf(loss.Value())
		if math.Abs(l-5e3) > 1e-3 {
			t.Errorf("%v: loss = %v, want 5000", dt, l)
		}
		want := []float64{0.5, -0.5, 0, 0, 0, 0}
		var got []float64
		switch d := grads[0].Value().Data().(type) {
		case []float64:
			got = d
		case []float32:
			for _, v := range d {
				got = append(got, float64(v))
			}
		}
		if maxAbsDiff(got, want) > 1e-7 {
			t.Errorf("%v: dz = %v, want %v", dt, got, want)
		}
		vm.Close()
	}
}
