package ops

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gorgonia's TapeMachine gives every node its own register, keeps every value until Reset, and
// only reuses memory for ops that overwrite a dead input. By default each op of this package
// therefore keeps its own output tensor across steps: no allocation per step, but memory equal to
// the sum of all its outputs, forward and backward. Plan shares those outputs between nodes whose
// values are never alive at the same time, so memory falls to about the peak live set.

// planned is implemented by the ops of this package whose output Plan can place.
type planned interface {
	G.Op
	cache() *outCache
}

func (op *conv2dOp) cache() *outCache      { return &op.out }
func (op *conv2dGradXOp) cache() *outCache { return &op.out }
func (op *conv2dGradWOp) cache() *outCache { return &op.out }
func (op *channelSumOp) cache() *outCache  { return &op.out }
func (op *maxPoolOp) cache() *outCache     { return &op.out }
func (op *maxPoolGradOp) cache() *outCache { return &op.out }
func (op *xentGradOp) cache() *outCache    { return &op.out }
func (op *conv1dOp) cache() *outCache      { return &op.out }
func (op *conv1dGradXOp) cache() *outCache { return &op.out }
func (op *conv1dGradWOp) cache() *outCache { return &op.out }
func (op *gatedOp) cache() *outCache       { return &op.out }
func (op *gatedGradOp) cache() *outCache   { return &op.out }

// reluOp and reluGradOp define cache next to their Do.

// minPlanned is the smallest output (in elements) Plan places; smaller ones keep their own.
const minPlanned = 1 << 14

// PlanStats reports what Plan did.
type PlanStats struct {
	Outputs     int   // outputs of this package's ops that Plan placed
	Buffers     int   // shared buffers they were placed in
	BytesBefore int64 // their total size: the memory they take without Plan
	BytesAfter  int64 // the total size of the shared buffers
}

func (s PlanStats) String() string {
	return fmt.Sprintf("%d outputs in %d buffers: %.1f MB instead of %.1f MB",
		s.Outputs, s.Buffers, float64(s.BytesAfter)/1e6, float64(s.BytesBefore)/1e6)
}

// Plan assigns the outputs of this package's ops in g to shared buffers, so that two outputs share
// memory only when the first is dead before the second is written, in the order a TapeMachine
// runs g. Call it after the whole graph, gradients included, is built, on the same graph (or
// subgraph) passed to G.NewTapeMachine, and do not add nodes afterwards. A value is alive from
// its node until its last reader; when a reader is not one of this package's ops, its output may
// alias its input (views, in-place adds), so the value stays alive as long as that output does.
// Nodes that nothing in g reads (the cost, the gradients) and the nodes in keep stay valid after
// RunAll; other intermediate values are overwritten later in the step, so read them only through
// keep. Plan is for TapeMachines; a LispMachine runs in another order.
func Plan(g *G.ExprGraph, keep ...*G.Node) (PlanStats, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return PlanStats{}, fmt.Errorf("ops: plan: sort graph: %w", err)
	}
	slices.Reverse(sorted) // execution order, as G.Compile does it

	// Common-subexpression elimination, as the compiler does it: a node with the hash of an earlier
	// one is not run; its readers read the earlier node.
	rep := make(map[*G.Node]*G.Node, len(sorted))
	byHash := make(map[uint32]*G.Node, len(sorted))
	pos := make(map[*G.Node]int, len(sorted))
	for i, n := range sorted {
		pos[n] = i
		if first, ok := byHash[n.Hashcode()]; ok {
			rep[n] = first
			continue
		}
		byHash[n.Hashcode()] = n
		rep[n] = n
	}

	// Last use of every value, and the values each reader may alias.
	end := len(sorted)
	last := make(map[*G.Node]int, len(sorted))
	aliases := make(map[*G.Node][]*G.Node)
	hasReader := make(map[*G.Node]bool)
	for _, p := range sorted {
		if rep[p] != p {
			continue
		}
		_, ours := p.Op().(planned)
		for it := g.From(p.ID()); it.Next(); {
			c, ok := it.Node().(*G.Node)
			if !ok {
				continue
			}
			v := rep[c]
			if v == nil {
				v = c
			}
			hasReader[v] = true
			last[v] = max(last[v], pos[p])
			if !ours {
				aliases[p] = append(aliases[p], v)
			}
		}
	}
	for _, n := range sorted {
		if !hasReader[n] {
			last[n] = end
		}
	}
	for _, n := range keep {
		last[n] = end
		if r := rep[n]; r != nil {
			last[r] = end
		}
	}
	for i := len(sorted) - 1; i >= 0; i-- { // readers come later, so this resolves chains
		p := sorted[i]
		for _, v := range aliases[p] {
			last[v] = max(last[v], last[p])
		}
	}

	// Greedy placement in execution order: the smallest free buffer that fits, else a new one.
	type buffer struct {
		dt    tensor.Dtype
		size  int
		until int // last use of its current occupant
		f32   []float32
		f64   []float64
	}
	var bufs []*buffer
	var st PlanStats
	for i, n := range sorted {
		op, ok := n.Op().(planned)
		if !ok || rep[n] != n {
			continue
		}
		dt, shape := n.Dtype(), n.Shape()
		size := shape.TotalSize()
		if size < minPlanned || (dt != tensor.Float32 && dt != tensor.Float64) {
			continue
		}
		var best *buffer
		for _, b := range bufs {
			if b.dt == dt && b.until < i && b.size >= size && (best == nil || b.size < best.size) {
				best = b
			}
		}
		if best == nil {
			best = &buffer{dt: dt, size: size}
			if dt == tensor.Float32 {
				best.f32 = make([]float32, size)
			} else {
				best.f64 = make([]float64, size)
			}
			bufs = append(bufs, best)
			st.BytesAfter += int64(size) * int64(dt.Size())
		}
		best.until = last[n]
		var t *tensor.Dense
		if dt == tensor.Float32 {
			t = tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(best.f32[:size]))
		} else {
			t = tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(best.f64[:size]))
		}
		op.cache().t = t
		st.Outputs++
		st.BytesBefore += int64(size) * int64(dt.Size())
	}
	st.Buffers = len(bufs)
	return st, nil
}
