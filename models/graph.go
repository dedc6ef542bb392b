package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/logitlab/logitlab/models/ops"
)

// graph is one Gorgonia expression graph for a fixed batch size. Its input and target nodes
// are bound to tensors whose backing slices the caller overwrites before each run, and its
// parameter nodes are bound to the caller's parameter tensors (shared, never copied).
type graph struct {
	g      *G.ExprGraph
	x      *G.Node // B×D (mlp) or B×C×H×W (cnn)
	xT     *tensor.Dense
	target *G.Node // B×K loss weights; nil for a forward-only graph
	tT     *tensor.Dense
	params G.Nodes
	logits *G.Node
	loss   *G.Node // nil for a forward-only graph
	// Distillation graphs only (modeDistill): the teacher's weighted soft targets and 1/T.
	soft *G.Node // B×K
	sT   *tensor.Dense
	invT *G.Node // scalar, set with G.Let before each run
}

// graphMode says which outputs a graph has.
type graphMode int

const (
	modeForward graphMode = iota // logits only
	modeLoss                     // logits and the cross-entropy loss
	modeDistill                  // logits and the distillation loss (see distillLoss)
)

// buildGraph builds the network of spec for batch samples in dtype dt (Float32 for use,
// Float64 for gradient checks), binding parameter node i to values[i].
func buildGraph(spec Spec, dt tensor.Dtype, batch int, values []*tensor.Dense, mode graphMode) (*graph, error) {
	if batch < 1 {
		return nil, fmt.Errorf("models: batch size %d: want >= 1", batch)
	}
	spec = spec.WithDefaults()
	info := layout(spec)
	if len(values) != len(info) {
		return nil, fmt.Errorf("models: %d parameter tensors for %d parameters", len(values), len(info))
	}
	gr := &graph{g: G.NewGraph()}
	for i, p := range info {
		if !values[i].Shape().Eq(p.shape) || values[i].Dtype() != dt {
			return nil, fmt.Errorf("models: parameter %s is %v %v, want %v %v", p.name, values[i].Dtype(), values[i].Shape(), dt, p.shape)
		}
		gr.params = append(gr.params, G.NewTensor(gr.g, dt, p.shape.Dims(),
			G.WithShape(p.shape...), G.WithName(p.name), G.WithValue(values[i])))
	}
	xShape := tensor.Shape{batch, spec.InputDim()}
	if spec.Arch == ArchCNN {
		xShape = tensor.Shape{batch, spec.C, spec.H, spec.W}
	}
	gr.xT = tensor.New(tensor.Of(dt), tensor.WithShape(xShape...))
	gr.x = G.NewTensor(gr.g, dt, xShape.Dims(), G.WithShape(xShape...), G.WithName("x"), G.WithValue(gr.xT))
	var err error
	if gr.logits, err = forward(spec, gr.x, gr.params); err != nil {
		return nil, fmt.Errorf("models: build %s graph: %w", spec.Arch, err)
	}
	if mode == modeLoss || mode == modeDistill {
		gr.tT = tensor.New(tensor.Of(dt), tensor.WithShape(batch, spec.Classes))
		gr.target = G.NewMatrix(gr.g, dt, G.WithShape(batch, spec.Classes), G.WithName("target"), G.WithValue(gr.tT))
		if gr.loss, err = crossEntropy(gr.logits, gr.target); err != nil {
			return nil, fmt.Errorf("models: build loss: %w", err)
		}
	}
	if mode == modeDistill {
		if err := gr.addDistill(dt, batch, spec.Classes); err != nil {
			return nil, fmt.Errorf("models: build distillation loss: %w", err)
		}
	}
	return gr, nil
}

// forward returns the logits (B×K) of the network for input x, given the parameter nodes in
// layout order.
func forward(spec Spec, x *G.Node, p G.Nodes) (*G.Node, error) {
	h := x
	var err error
	k := 0
	if spec.Arch == ArchCNN {
		for range spec.Conv {
			if h, err = conv(h, p[k], p[k+1]); err != nil {
				return nil, err
			}
			// max-pool then ReLU: the same values and gradients as ReLU then pool (max commutes
			// with the monotone ReLU, ties and NaN included), on a quarter of the elements.
			if h, err = pool(h); err != nil {
				return nil, err
			}
			if h, err = relu(h); err != nil {
				return nil, err
			}
			k += 2
		}
		s := h.Shape()
		if h, err = G.Reshape(h, tensor.Shape{s[0], s[1] * s[2] * s[3]}); err != nil {
			return nil, err
		}
	}
	for ; k < len(p)-2; k += 2 {
		if h, err = dense(h, p[k], p[k+1]); err != nil {
			return nil, err
		}
		if h, err = relu(h); err != nil {
			return nil, err
		}
	}
	return dense(h, p[k], p[k+1])
}

// machine returns a TapeMachine that runs only the part of gr's graph that roots need (the
// loss and the wanted gradients, or the logits), with the outputs of the models/ops nodes
// placed in shared buffers by ops.Plan. Pruning drops work nothing reads: the input gradient
// of the first layer in a training graph, the weight gradients in an input-gradient graph.
// Call it once the graph, gradients included, is complete, and add no nodes afterwards. Only
// the roots' values may be read after a run (and only until the next one): Plan lets other
// intermediate values share memory.
func (gr *graph) machine(roots ...*G.Node) (G.VM, error) {
	sub := gr.g.SubgraphRoots(roots...)
	if _, err := ops.Plan(sub, roots...); err != nil {
		return nil, fmt.Errorf("models: plan buffers: %w", err)
	}
	return G.NewTapeMachine(sub), nil
}

// setTargets writes the loss weights for labels y into t (rows × classes): w at (i, y[i]) and
// zero elsewhere, so rows past len(y) are padding that adds nothing to the loss. With w = 1/n
// the loss is the mean over n samples. Labels must already be checked.
func setTargets[T float32 | float64](t []T, y []int, classes int, w float64) {
	clear(t)
	for i, c := range y {
		t[i*classes+c] = T(w)
	}
}

// scalar returns a float32 or float64 scalar value as float64.
func scalar(v G.Value) float64 {
	switch d := v.Data().(type) {
	case float32:
		return float64(d)
	case float64:
		return d
	case []float32:
		return float64(d[0])
	case []float64:
		return d[0]
	}
	panic(fmt.Sprintf("models: unexpected scalar type %T", v.Data()))
}
