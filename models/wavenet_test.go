package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// TestWaveNetGradFD checks every parameter gradient of every head's float64 graph against central
// finite differences: |analytic − numeric| ≤ 1e-6 + 1e-4·|numeric| on sampled entries.
func TestWaveNetGradFD(t *testing.T) {
	spec := WaveNetSpec{Channels: 3, Blocks: 2, Dilations: []int{1, 2}, Kernel: 2,
		Heads: []HeadSpec{{"kw", 4}}, SSL: []SSLKind{SSLNext, SSLDenoise, SSLUpsample}}
	net, err := NewWaveNet(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	const batch, length = 3, 11
	vals := make([]*tensor.Dense, len(net.values))
	for i, v := range net.values {
		d := v.Data().([]float32)
		f := make([]float64, len(d))
		rng := rand.New(rand.NewPCG(9, uint64(i)))
		for j := range f {
			f[j] = float64(d[j]) + 0.1*rng.NormFloat64() // nonzero biases too
		}
		vals[i] = tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(f))
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, head := range []string{"kw", "next", "denoise", "upsample"} {
		t.Run(head, func(t *testing.T) {
			gr, err := buildWaveGraph(net.spec, net.info, vals, tensor.Float64, head, batch, length, true)
			if err != nil {
				t.Fatal(err)
			}
			defer gr.vm.Close()
			x := gr.xT.Data().([]float64)
			for i := range x {
				x[i] = rng.Float64()*2 - 1
			}
			tg := gr.tgtT.Data().([]float64)
			switch head {
			case "kw":
				for n := 0; n < batch; n++ {
					tg[n*4+n%4] = 1
				}
			case "next":
				for i := range tg {
					tg[i] = float64(rng.IntN(256))
				}
				tg[length-1] = -1
			default:
				for i := range tg {
					tg[i] = rng.Float64() - 0.5
				}
			}
			lossAt := func() float64 {
				if err := gr.vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				l := gr.loss.Value().Data().(float64)
				gr.vm.Reset()
				return l
			}
			if err := gr.vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			grads := make([][]float64, len(gr.grads))
			for k, g := range gr.grads {
				grads[k] = append([]float64(nil), g.Value().Data().([]float64)...)
			}
			gr.vm.Reset()
			checked := 0
			for k, pi := range gr.used {
				p := vals[pi].Data().([]float64)
				for _, j := range []int{0, len(p) / 2, len(p) - 1} {
					const h = 1e-6
					old := p[j]
					p[j] = old + h
					lp := lossAt()
					p[j] = old - h
					lm := lossAt()
					p[j] = old
					num := (lp - lm) / (2 * h)
					if d := math.Abs(grads[k][j] - num); d > 1e-6+1e-4*math.Abs(num) {
						t.Errorf("%s[%d]: analytic %.9g, numeric %.9g", net.info[pi].name, j, grads[k][j], num)
					}
					checked++
				}
			}
			if checked < 3*(2+8*4-2+2+2) {
				t.Errorf("checked %d entries, fewer than the graph's parameters need", checked)
			}
		})
	}
}

func TestWaveNetLearns(t *testing.T) {
	// Two classes: a 200 Hz or a 600 Hz tone at random phase and amplitude; 40 steps of Adam must
	// separate them on fresh clips.
	spec := WaveNetSpec{Channels: 8, Blocks: 1, Dilations: []int{1, 2, 4}, Heads: []HeadSpec{{"tone", 2}}, SSL: []SSLKind{SSLNext}}
	net, err := NewWaveNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	const batch, length = 8, 256
	tr, err := NewWaveTrainer(net, []WaveTask{{Head: "tone", Batch: batch, Len: length, Weight: 1}, {Head: "next", Batch: 2, Len: length, Weight: 0.1}}, OptimSpec{Name: OptimAdam, LR: 3e-3})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rng := rand.New(rand.NewPCG(2, 2))
	make1 := func(x []float32, c int) {
		f := []float64{200, 600}[c]
		a, ph := 0.2+0.7*rng.Float64(), 2*math.Pi*rng.Float64()
		for i := range x {
			x[i] = float32(a * math.Sin(2*math.Pi*f*float64(i)/8000+ph))
		}
	}
	for step := 0; step < 40; step++ {
		b := WaveBatch{X: make([]float32, batch*length), Labels: make([]int, batch)}
		for i := range b.Labels {
			b.Labels[i] = i % 2
			make1(b.X[i*length:(i+1)*length], i%2)
		}
		nb := WaveBatch{X: make([]float32, 2*length), Steps: make([]int32, 2*length)}
		for i := range nb.Steps {
			nb.Steps[i] = int32(rng.IntN(256))
		}
		if _, err := tr.Step([]WaveBatch{b, nb}); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := NewWaveEval(net, "tone", 16, length)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	x := make([]float32, 16*length)
	for i := 0; i < 16; i++ {
		make1(x[i*length:(i+1)*length], i%2)
	}
	pred, err := ev.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i, p := range pred {
		if p == i%2 {
			correct++
		}
	}
	if correct < 15 {
		t.Errorf("%d/16 correct after training, want >= 15", correct)
	}
	if rf := (WaveNetSpec{}).ReceptiveField(); rf != 1+2*127 {
		t.Errorf("default receptive field %d, want 255", rf)
	}
}

// TestWaveTrainerSnapshot checks that restoring a snapshot into a fresh trainer makes its next
// step bit-identical to the original's, and that a checkpoint of another shape is refused.
func TestWaveTrainerSnapshot(t *testing.T) {
	spec := WaveNetSpec{Channels: 4, Blocks: 1, Dilations: []int{1, 2}, Heads: []HeadSpec{{"a", 3}}, SSL: []SSLKind{SSLDenoise}}
	tasks := []WaveTask{{Head: "a", Batch: 4, Len: 32, Weight: 1}, {Head: "denoise", Batch: 2, Len: 32, Weight: 0.5}}
	rng := rand.New(rand.NewPCG(5, 5))
	batch := func() []WaveBatch {
		a := WaveBatch{X: make([]float32, 4*32), Labels: []int{0, 1, 2, 1}}
		d := WaveBatch{X: make([]float32, 2*32), Target: make([]float32, 2*32)}
		for i := range a.X {
			a.X[i] = rng.Float32()*2 - 1
		}
		for i := range d.X {
			d.X[i], d.Target[i] = rng.Float32()*2-1, rng.Float32()*2-1
		}
		return []WaveBatch{a, d}
	}
	newT := func() *WaveTrainer {
		net, err := NewWaveNet(spec, 7)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewWaveTrainer(net, tasks, OptimSpec{Name: OptimAdam, LR: 1e-2})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a := newT()
	defer a.Close()
	for range 3 {
		if _, err := a.Step(batch()); err != nil {
			t.Fatal(err)
		}
	}
	snap := a.Snapshot()
	b := newT()
	defer b.Close()
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	next := batch()
	la, err := a.Step(next)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.Step(next)
	if err != nil {
		t.Fatal(err)
	}
	if la[0] != lb[0] || la[1] != lb[1] || b.Steps() != a.Steps() {
		t.Errorf("after restore: losses %v vs %v, steps %d vs %d", lb, la, b.Steps(), a.Steps())
	}
	other := spec
	other.Channels = 5
	net, _ := NewWaveNet(other, 7)
	c, err := NewWaveTrainer(net, tasks, OptimSpec{Name: OptimAdam, LR: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Restore(snap); err == nil {
		t.Error("restoring a 4-channel snapshot into a 5-channel net succeeded")
	}
}
