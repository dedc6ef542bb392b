package models

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// WaveTask is one task a WaveTrainer trains at every step.
type WaveTask struct {
	Head   string  // a classification head name, or "next", "denoise", "upsample"
	Batch  int     // clips per step
	Len    int     // samples per clip
	Weight float64 // loss weight w_k; the step minimises Σ_k w_k·loss_k
}

// WaveBatch is the data of one task for one step. X holds Batch×Len companded inputs; the
// target depends on the task: Labels (Batch classes) for a classification head, Steps
// (Batch×Len μ-law classes, −1 to ignore a step) for "next", Target (Batch×Len) for "denoise"
// and "upsample".
type WaveBatch struct {
	X      []float32
	Labels []int
	Steps  []int32
	Target []float32
}

// WaveTrainer trains a WaveNet on several tasks at once: each step runs every task's graph on
// its batch, sums the weighted gradients and applies one optimizer update.
type WaveTrainer struct {
	net    *WaveNet
	tasks  []WaveTask
	graphs []*wnGraph
	opt    *optimizer
	acc    [][]float32
	lr     float64
	steps  int64
	bnMom  float32
}

// NewWaveTrainer builds one graph per task. Call Close when done.
func NewWaveTrainer(n *WaveNet, tasks []WaveTask, opt OptimSpec) (*WaveTrainer, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("models: wavenet trainer: no tasks")
	}
	opt = opt.WithDefaults()
	t := &WaveTrainer{net: n, tasks: append([]WaveTask(nil), tasks...), lr: opt.LR, bnMom: 0.1}
	for _, task := range tasks {
		if !(task.Weight >= 0) || math.IsInf(task.Weight, 0) {
			return nil, fmt.Errorf("models: wavenet task %s: weight %v must be finite and >= 0", task.Head, task.Weight)
		}
		gr, err := buildWaveGraph(n.spec, n.info, n.values, tensor.Float32, task.Head, task.Batch, task.Len, true)
		if err != nil {
			t.Close()
			return nil, err
		}
		t.graphs = append(t.graphs, gr)
	}
	sizes := make([]int, len(n.info))
	for i, p := range n.info {
		sizes[i] = p.shape.TotalSize()
		t.acc = append(t.acc, make([]float32, sizes[i]))
	}
	t.opt = newOptimizer(opt, sizes)
	return t, nil
}

// SetWeight sets the loss weight of task i from the next step on.
func (t *WaveTrainer) SetWeight(i int, w float64) { t.tasks[i].Weight = w }

// SetLR sets the learning rate from the next step on.
func (t *WaveTrainer) SetLR(lr float64) { t.lr = lr }

// Steps returns the number of optimizer steps taken.
func (t *WaveTrainer) Steps() int64 { return t.steps }

// Step runs every task on its batch (batches[i] for task i), checks losses and gradients for
// NaN/±Inf, then updates the parameters once. It returns each task's loss before the update. On
// a non-finite value it returns a *NonFiniteError and changes nothing.
func (t *WaveTrainer) Step(batches []WaveBatch) ([]float64, error) {
	if len(batches) != len(t.tasks) {
		return nil, fmt.Errorf("models: wavenet step wants %d batches (one per task), got %d", len(t.tasks), len(batches))
	}
	for i := range t.acc {
		clear(t.acc[i])
	}
	touched := make([]bool, len(t.acc))
	losses := make([]float64, len(t.tasks))
	type bnUpd struct {
		head   string
		mu, vr []float32
	}
	var bn []bnUpd
	for k, gr := range t.graphs {
		if err := gr.fill(batches[k]); err != nil {
			return nil, fmt.Errorf("models: wavenet task %s: %w", t.tasks[k].Head, err)
		}
		if err := gr.vm.RunAll(); err != nil {
			gr.vm.Reset()
			return nil, fmt.Errorf("models: run wavenet graph %s: %w", gr.head, err)
		}
		loss := scalar(gr.loss.Value())
		losses[k] = loss
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			gr.vm.Reset()
			return losses, &NonFiniteError{Step: t.steps, Where: "loss/" + gr.head, Value: loss}
		}
		w := float32(t.tasks[k].Weight)
		for j, g := range gr.grads {
			pi := gr.used[j]
			gv := g.Value().Data().([]float32)
			acc := t.acc[pi]
			for q, v := range gv {
				if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
					gr.vm.Reset()
					return losses, &NonFiniteError{Step: t.steps, Where: "grad/" + gr.head + "/" + t.net.info[pi].name, Index: q, Value: f}
				}
				acc[q] += w * v
			}
			touched[pi] = true
		}
		if gr.bnMu != nil {
			bn = append(bn, bnUpd{gr.head, append([]float32(nil), gr.bnMu.Value().Data().([]float32)...),
				append([]float32(nil), gr.bnVar.Value().Data().([]float32)...)})
		}
		gr.vm.Reset()
	}
	t.steps++
	for i, ok := range touched {
		if ok {
			t.opt.update(i, t.net.values[i].Data().([]float32), t.acc[i], t.lr, t.steps)
		}
	}
	for _, u := range bn {
		m, v := t.net.bnMean[u.head], t.net.bnVar[u.head]
		for i := range m {
			m[i] += t.bnMom * (u.mu[i] - m[i])
			v[i] += t.bnMom * (u.vr[i] - v[i])
		}
	}
	return losses, nil
}

// fill copies a batch into the graph's bound input and target tensors.
func (gr *wnGraph) fill(b WaveBatch) error {
	n := gr.batch * gr.length
	if len(b.X) != n {
		return fmt.Errorf("want %d input values (%d×%d), got %d", n, gr.batch, gr.length, len(b.X))
	}
	fillT(gr.xT, b.X)
	switch {
	case gr.classes > 0:
		if len(b.Labels) != gr.batch {
			return fmt.Errorf("want %d labels, got %d", gr.batch, len(b.Labels))
		}
		if err := checkLabels(b.Labels, gr.classes); err != nil {
			return err
		}
		switch d := gr.tgtT.Data().(type) {
		case []float32:
			setTargets(d, b.Labels, gr.classes, 1)
		case []float64:
			setTargets(d, b.Labels, gr.classes, 1)
		}
	case gr.ssl == SSLNext:
		if len(b.Steps) != n {
			return fmt.Errorf("want %d next-step classes, got %d", n, len(b.Steps))
		}
		switch d := gr.tgtT.Data().(type) {
		case []float32:
			for i, c := range b.Steps {
				d[i] = float32(c)
			}
		case []float64:
			for i, c := range b.Steps {
				d[i] = float64(c)
			}
		}
	default:
		if len(b.Target) != n {
			return fmt.Errorf("want %d target values, got %d", n, len(b.Target))
		}
		fillT(gr.tgtT, b.Target)
	}
	return nil
}

func fillT(t *tensor.Dense, src []float32) {
	switch d := t.Data().(type) {
	case []float32:
		copy(d, src)
	case []float64:
		for i, v := range src {
			d[i] = float64(v)
		}
	}
}

// Close releases the graphs' machines.
func (t *WaveTrainer) Close() error {
	for _, gr := range t.graphs {
		gr.vm.Close()
	}
	return nil
}

// WaveEval classifies clips with one head of a WaveNet, using the running feature statistics.
type WaveEval struct {
	net *WaveNet
	gr  *wnGraph
}

// NewWaveEval builds the evaluation graph of head for batches of up to batch clips of length
// samples. Call Close when done.
func NewWaveEval(n *WaveNet, head string, batch, length int) (*WaveEval, error) {
	gr, err := buildWaveGraph(n.spec, n.info, n.values, tensor.Float32, head, batch, length, false)
	if err != nil {
		return nil, err
	}
	return &WaveEval{net: n, gr: gr}, nil
}

// Predict returns the predicted class of each of the m = len(x)/length clips in x (companded
// inputs), m ≤ the batch size.
func (e *WaveEval) Predict(x []float32) ([]int, error) {
	gr := e.gr
	if len(x)%gr.length != 0 || len(x)/gr.length > gr.batch || len(x) == 0 {
		return nil, fmt.Errorf("models: wavenet predict: %d values is not 1…%d clips of %d", len(x), gr.batch, gr.length)
	}
	m := len(x) / gr.length
	xd := gr.xT.Data().([]float32)
	copy(xd, x)
	clear(xd[len(x):])
	mu, inv := gr.bnMuT.Data().([]float32), gr.bnInvT.Data().([]float32)
	for i := range mu {
		mu[i] = e.net.bnMean[gr.head][i]
		inv[i] = float32(1 / math.Sqrt(float64(e.net.bnVar[gr.head][i])+bnEps))
	}
	defer gr.vm.Reset()
	if err := gr.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("models: run wavenet evaluation: %w", err)
	}
	z := gr.logits.Value().Data().([]float32)
	out := make([]int, m)
	for i := range out {
		row := z[i*gr.classes:][:gr.classes]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		out[i] = best
	}
	return out, nil
}

// Close releases the graph's machine.
func (e *WaveEval) Close() error { return e.gr.vm.Close() }
