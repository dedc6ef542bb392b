package models

import (
	"fmt"

	"github.com/logitlab/logitlab/models/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnEps is added to the feature variance before the square root.
const bnEps = 1e-5

// wnGraph is one graph of a WaveNet for one head, batch size and length.
type wnGraph struct {
	g       *G.ExprGraph
	head    string // classification head name or SSL kind
	ssl     SSLKind
	batch   int
	length  int
	xT      *tensor.Dense // N×1×T input
	tgtT    *tensor.Dense // classify: N×K targets; next: N×T classes; regress: N×1×T
	used    []int         // parameter indices the graph reads, in node order
	pnodes  G.Nodes
	loss    *G.Node // nil in evaluation graphs
	logits  *G.Node // classification only
	bnMu    *G.Node // classification training: batch mean and variance of the pooled features
	bnVar   *G.Node
	bnMuT   *tensor.Dense // classification evaluation: bound running mean and 1/√(var+ε)
	bnInvT  *tensor.Dense
	grads   G.Nodes
	vm      G.VM
	classes int
}

// buildWaveGraph builds the graph of head (a classification head name or an SSL kind) for batch
// clips of length samples in dtype dt, binding parameter i to values[i]. train adds the loss and
// its gradients; otherwise the graph computes the logits of a classification head with running
// feature statistics.
func buildWaveGraph(s WaveNetSpec, info []paramInfo, values []*tensor.Dense, dt tensor.Dtype, head string, batch, length int, train bool) (*wnGraph, error) {
	if batch < 1 || length < 1 {
		return nil, fmt.Errorf("models: wavenet graph: batch %d, length %d: want >= 1", batch, length)
	}
	gr := &wnGraph{g: G.NewGraph(), head: head, batch: batch, length: length}
	for _, h := range s.Heads {
		if h.Name == head {
			gr.classes = h.Classes
		}
	}
	if gr.classes == 0 {
		for _, k := range s.SSL {
			if string(k) == head {
				gr.ssl = k
			}
		}
		if gr.ssl == "" {
			return nil, fmt.Errorf("models: wavenet has no head %q", head)
		}
		if !train {
			return nil, fmt.Errorf("models: wavenet: evaluation graphs are for classification heads, not %q", head)
		}
	}
	byName := map[string]int{}
	for i, p := range info {
		byName[p.name] = i
	}
	param := func(name string) *G.Node {
		i, ok := byName[name]
		if !ok {
			panic("models: wavenet: no parameter " + name) // a layout bug, not a user error
		}
		for k, j := range gr.used {
			if j == i {
				return gr.pnodes[k]
			}
		}
		p := info[i]
		n := G.NewTensor(gr.g, dt, p.shape.Dims(), G.WithShape(p.shape...), G.WithName(p.name), G.WithValue(values[i]))
		gr.used = append(gr.used, i)
		gr.pnodes = append(gr.pnodes, n)
		return n
	}
	gr.xT = tensor.New(tensor.Of(dt), tensor.WithShape(batch, 1, length))
	x := G.NewTensor(gr.g, dt, 3, G.WithShape(batch, 1, length), G.WithName("x"), G.WithValue(gr.xT))
	e, err := wnEncode(s, x, param)
	if err != nil {
		return nil, fmt.Errorf("models: build wavenet encoder: %w", err)
	}
	if gr.classes > 0 {
		err = gr.classifier(s, dt, e, param, train)
	} else {
		err = gr.selfSupervised(dt, e, param)
	}
	if err != nil {
		return nil, fmt.Errorf("models: build wavenet head %s: %w", head, err)
	}
	roots := G.Nodes{}
	if train {
		if gr.grads, err = G.Grad(gr.loss, gr.pnodes...); err != nil {
			return nil, fmt.Errorf("models: differentiate the %s loss: %w", head, err)
		}
		roots = append(append(roots, gr.loss), gr.grads...)
		if gr.bnMu != nil {
			roots = append(roots, gr.bnMu, gr.bnVar)
		}
	} else {
		roots = append(roots, gr.logits)
	}
	sub := gr.g.SubgraphRoots(roots...)
	if _, err := ops.Plan(sub, roots...); err != nil {
		return nil, err
	}
	gr.vm = G.NewTapeMachine(sub)
	return gr, nil
}

// wnEncode builds the encoder of the package doc on x (N×1×T) and returns E (N×C×T).
func wnEncode(s WaveNetSpec, x *G.Node, param func(string) *G.Node) (*G.Node, error) {
	conv := func(in *G.Node, name string, d int) (*G.Node, error) {
		return ops.CausalConv1DBias(in, param(name+".W"), param(name+".b"), d)
	}
	h, err := conv(x, "in", 1)
	if err != nil {
		return nil, err
	}
	var skip *G.Node
	for b := 0; b < s.Blocks; b++ {
		for l, d := range s.Dilations {
			p := fmt.Sprintf("b%dd%d.", b, d)
			f, err := conv(h, p+"f", d)
			if err != nil {
				return nil, err
			}
			g, err := conv(h, p+"g", d)
			if err != nil {
				return nil, err
			}
			z, err := ops.Gated(f, g)
			if err != nil {
				return nil, err
			}
			// h ← h + W_r z + b_r and s ← s + W_s z + b_s, each one op (no separate sum).
			if !lastLayer(s, b, l) {
				if h, err = ops.CausalConv1DBiasAdd(z, param(p+"r.W"), param(p+"r.b"), h, 1); err != nil {
					return nil, err
				}
			}
			if skip == nil {
				skip, err = conv(z, p+"s", 1)
			} else {
				skip, err = ops.CausalConv1DBiasAdd(z, param(p+"s.W"), param(p+"s.b"), skip, 1)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	a, err := ops.Relu(skip)
	if err != nil {
		return nil, err
	}
	if a, err = conv(a, "post", 1); err != nil {
		return nil, err
	}
	return ops.Relu(a)
}

func (gr *wnGraph) classifier(s WaveNetSpec, dt tensor.Dtype, e *G.Node, param func(string) *G.Node, train bool) error {
	f, err := poolMeanMax(e)
	if err != nil {
		return err
	}
	var fhat *G.Node
	if train {
		if gr.bnMu, err = G.Mean(f, 0); err != nil {
			return err
		}
		cen, err := G.BroadcastSub(f, gr.bnMu, nil, []byte{0})
		if err != nil {
			return err
		}
		sq, err := G.Square(cen)
		if err != nil {
			return err
		}
		if gr.bnVar, err = G.Mean(sq, 0); err != nil {
			return err
		}
		eps := G.NewConstant(castScalar(dt, bnEps))
		ve, err := G.Add(gr.bnVar, eps)
		if err != nil {
			return err
		}
		sd, err := G.Sqrt(ve)
		if err != nil {
			return err
		}
		if fhat, err = G.BroadcastHadamardDiv(cen, sd, nil, []byte{0}); err != nil {
			return err
		}
	} else {
		c2 := 2 * s.Channels
		gr.bnMuT = tensor.New(tensor.Of(dt), tensor.WithShape(c2))
		gr.bnInvT = tensor.New(tensor.Of(dt), tensor.WithShape(c2))
		mu := G.NewVector(gr.g, dt, G.WithShape(c2), G.WithName("bn.mean"), G.WithValue(gr.bnMuT))
		inv := G.NewVector(gr.g, dt, G.WithShape(c2), G.WithName("bn.invsd"), G.WithValue(gr.bnInvT))
		cen, err := G.BroadcastSub(f, mu, nil, []byte{0})
		if err != nil {
			return err
		}
		if fhat, err = G.BroadcastHadamardProd(cen, inv, nil, []byte{0}); err != nil {
			return err
		}
	}
	if gr.logits, err = dense(fhat, param("head."+gr.head+".W"), param("head."+gr.head+".b")); err != nil {
		return err
	}
	if !train {
		return nil
	}
	gr.tgtT = tensor.New(tensor.Of(dt), tensor.WithShape(gr.batch, gr.classes))
	tgt := G.NewMatrix(gr.g, dt, G.WithShape(gr.batch, gr.classes), G.WithName("target"), G.WithValue(gr.tgtT))
	gr.loss, err = ops.SoftmaxCrossEntropy(gr.logits, tgt)
	return err
}

func (gr *wnGraph) selfSupervised(dt tensor.Dtype, e *G.Node, param func(string) *G.Node) error {
	name := "ssl." + string(gr.ssl)
	out, err := ops.CausalConv1DBias(e, param(name+".W"), param(name+".b"), 1)
	if err != nil {
		return err
	}
	if gr.ssl == SSLNext {
		gr.tgtT = tensor.New(tensor.Of(dt), tensor.WithShape(gr.batch, gr.length))
		y := G.NewMatrix(gr.g, dt, G.WithShape(gr.batch, gr.length), G.WithName("next"), G.WithValue(gr.tgtT))
		gr.loss, err = stepXent(out, y)
		return err
	}
	gr.tgtT = tensor.New(tensor.Of(dt), tensor.WithShape(gr.batch, 1, gr.length))
	y := G.NewTensor(gr.g, dt, 3, G.WithShape(gr.batch, 1, gr.length), G.WithName("clean"), G.WithValue(gr.tgtT))
	d, err := G.Sub(out, y)
	if err != nil {
		return err
	}
	sq, err := G.Square(d)
	if err != nil {
		return err
	}
	gr.loss, err = G.Mean(sq)
	return err
}

func castScalar(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}
