package models

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stockForward is the network as the models package built it before it used models/ops and
// denseLayer: G.Conv2d + G.BroadcastAdd, G.MaxPool2D, G.Rectify, G.Mul + G.BroadcastAdd, and
// the cross-entropy composed from Max, Sub, Exp, Sum, Log (logSoftmax). It is the reference
// the fused ops are checked against.
func stockForward(t *testing.T, spec Spec, x *G.Node, p G.Nodes) *G.Node {
	t.Helper()
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	denseStock := func(h, w, b *G.Node) *G.Node {
		return must(G.BroadcastAdd(must(G.Mul(h, w)), b, nil, []byte{0}))
	}
	h := x
	k := 0
	if spec.Arch == ArchCNN {
		for range spec.Conv {
			c := must(G.Conv2d(h, p[k], tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
			c = must(G.BroadcastAdd(c, p[k+1], nil, []byte{0, 2, 3}))
			h = must(G.MaxPool2D(must(G.Rectify(c)), tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
			k += 2
		}
		s := h.Shape()
		h = must(G.Reshape(h, tensor.Shape{s[0], s[1] * s[2] * s[3]}))
	}
	for ; k < len(p)-2; k += 2 {
		h = must(G.Rectify(denseStock(h, p[k], p[k+1])))
	}
	return denseStock(h, p[k], p[k+1])
}

// stockLoss is −Σ T·logSoftmax(z), the loss graph's old composition.
func stockLoss(t *testing.T, z, target *G.Node) *G.Node {
	t.Helper()
	lsm, err := logSoftmax(z)
	if err != nil {
		t.Fatal(err)
	}
	p, err := G.HadamardProd(lsm, target)
	if err != nil {
		t.Fatal(err)
	}
	s, err := G.Sum(p)
	if err != nil {
		t.Fatal(err)
	}
	l, err := G.Neg(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestOpsMatchStock trains a net for four SGD steps with Trainer (models/ops and denseLayer,
// pruned and planned machine) and, from the same float32 parameters, a graph of Gorgonia's
// stock ops updated by hand with p ← p − lr·g; losses and parameters must agree at every step
// to float32 rounding (relative 1e-4).
func TestOpsMatchStock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"mlp 6-5-3", tinyMLP},
		{"cnn 2x5x7 conv3-conv2", deepCNN},
		{"cnn 1x12x12 conv8-conv16", Spec{Arch: ArchCNN, C: 1, H: 12, W: 12, Classes: 10, Conv: []int{8, 16}, FC: 32}},
	} {
		s := tc.spec
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const batch, lr, nsteps = 6, 0.1, 4
			n := mustNet(t, s, 31)
			vals := f64Net(n, 32) // nonzero biases
			for i := range n.info {
				for j, v := range vals[i].Data().([]float64) {
					n.data(i)[j] = float32(v)
				}
			}
			// The stock graph works on its own float32 copies of the parameters.
			ref := make([]*tensor.Dense, len(n.info))
			for i, p := range n.info {
				ref[i] = tensor.New(tensor.WithShape(p.shape.Clone()...), tensor.WithBacking(append([]float32(nil), n.data(i)...)))
			}
			sg := G.NewGraph()
			var pn G.Nodes
			for i, p := range n.info {
				pn = append(pn, G.NewTensor(sg, tensor.Float32, p.shape.Dims(), G.WithShape(p.shape...), G.WithName(p.name), G.WithValue(ref[i])))
			}
			xShape := tensor.Shape{batch, s.InputDim()}
			if s.Arch == ArchCNN {
				xShape = tensor.Shape{batch, s.C, s.H, s.W}
			}
			xT := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(xShape...))
			tT := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(batch, s.Classes))
			xn := G.NewTensor(sg, tensor.Float32, xShape.Dims(), G.WithShape(xShape...), G.WithName("x"), G.WithValue(xT))
			tn := G.NewMatrix(sg, tensor.Float32, G.WithShape(batch, s.Classes), G.WithName("t"), G.WithValue(tT))
			loss := stockLoss(t, stockForward(t, s, xn, pn), tn)
			grads, err := G.Grad(loss, pn...)
			if err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(sg)
			defer vm.Close()

			tr := mustTrainer(t, n, batch, OptimSpec{Name: OptimSGD, LR: lr, Momentum: 1e-300}) // float32(μ) = 0: plain SGD (0 means the default 0.9)
			x, y := randData(s, batch*nsteps, 33)
			dim := s.InputDim()
			for step := 0; step < nsteps; step++ {
				xb, yb := x[step*batch*dim:(step+1)*batch*dim], y[step*batch:(step+1)*batch]
				copy(xT.Data().([]float32), xb)
				setTargets(tT.Data().([]float32), yb, s.Classes, 1/float64(batch))
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				want := scalar(loss.Value())
				for i, g := range grads {
					p := ref[i].Data().([]float32)
					for j, gj := range g.Value().Data().([]float32) {
						p[j] -= lr * gj
					}
				}
				vm.Reset()
				got, err := tr.Step(xb, yb)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
					t.Errorf("step %d: loss %v, stock %v", step, got, want)
				}
				for i, p := range n.info {
					worst := 0.0
					for j, v := range n.data(i) {
						r := float64(ref[i].Data().([]float32)[j])
						worst = math.Max(worst, math.Abs(float64(v)-r)/math.Max(1, math.Abs(r)))
					}
					if step == nsteps-1 && i == 0 {
						t.Logf("after %d steps: %s differs by %.2g, loss %v vs %v", nsteps, p.name, worst, got, want)
					}
					if worst > 1e-4 {
						t.Errorf("step %d: %s differs from the stock graph's by %.2g (relative)", step, p.name, worst)
					}
				}
			}
		})
	}
}
