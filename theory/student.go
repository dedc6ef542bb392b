package theory

import (
	"fmt"
	"math"
)

// StudentSpec describes a multitask student: a shared trunk of Depth dense layers of Width units
// (ReLU, or linear), then one dense head of Classes outputs per task. Every layer has a bias.
type StudentSpec struct {
	In      int  // input dimension
	Width   int  // trunk units per layer (64 in the paper)
	Depth   int  // trunk layers, ≥ 1 (2 in the paper)
	Classes int  // outputs per head
	Heads   int  // tasks, ≥ 1
	Linear  bool // no ReLU in the trunk
}

// Validate reports a spec that cannot make a network.
func (s StudentSpec) Validate() error {
	if s.In < 1 || s.Width < 1 || s.Depth < 1 || s.Classes < 2 || s.Heads < 1 {
		return fmt.Errorf("theory: student spec %+v: need in, width, depth, heads ≥ 1 and classes ≥ 2", s)
	}
	return nil
}

// Student is a multitask MLP in float64 with a hand-written forward and backward pass: the networks
// are tiny (d = 20, width 64), and a Gorgonia graph costs more in bookkeeping than in arithmetic (see
// the package doc). It is not safe for concurrent use.
type Student struct {
	spec StudentSpec
	W    [][]float64 // trunk layer l: Width × in(l), row-major (in(0) = In, else Width)
	B    [][]float64 // trunk layer l bias: Width
	HW   [][]float64 // head t: Classes × Width
	HB   [][]float64 // head t bias: Classes

	cap    int         // batch capacity of the workspaces
	acts   [][]float64 // acts[l+1] = trunk layer l output, cap × Width
	logits []float64   // cap × Classes
	dA, dP []float64   // cap × Width scratch for the backward pass
}

// NewStudent initialises a student as the authors' PyTorch code does: orthogonal weights
// (nn.init.orthogonal_) and PyTorch's default biases, uniform in ±1/√fan_in. Each layer draws from
// its own stream of seed, so the trunk and head 0 of a single-task and a multitask student made with
// the same seed are identical.
func NewStudent(spec StudentSpec, seed uint64) (*Student, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	s := &Student{spec: spec}
	in := spec.In
	for l := 0; l < spec.Depth; l++ {
		w := make([]float64, spec.Width*in)
		Orthogonal(w, spec.Width, in, stream(seed, 100+uint64(l)))
		s.W = append(s.W, w)
		s.B = append(s.B, uniformBias(spec.Width, in, seed, 200+uint64(l)))
		in = spec.Width
	}
	for t := 0; t < spec.Heads; t++ {
		w := make([]float64, spec.Classes*spec.Width)
		Orthogonal(w, spec.Classes, spec.Width, stream(seed, 300+uint64(t)))
		s.HW = append(s.HW, w)
		s.HB = append(s.HB, uniformBias(spec.Classes, spec.Width, seed, 400+uint64(t)))
	}
	return s, nil
}

func uniformBias(n, fanIn int, seed, purpose uint64) []float64 {
	r := stream(seed, purpose)
	b := make([]float64, n)
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range b {
		b[i] = (2*r.Float64() - 1) * bound
	}
	return b
}

// Spec returns the student's spec.
func (s *Student) Spec() StudentSpec { return s.spec }

func (s *Student) ensure(n int) {
	if n <= s.cap {
		return
	}
	s.cap = n
	s.acts = make([][]float64, s.spec.Depth+1)
	for l := 1; l <= s.spec.Depth; l++ {
		s.acts[l] = make([]float64, n*s.spec.Width)
	}
	s.logits = make([]float64, n*s.spec.Classes)
	s.dA = make([]float64, n*max(s.spec.Width, s.spec.In))
	s.dP = make([]float64, n*max(s.spec.Width, s.spec.In))
}

// forward computes the logits of head for the n rows of x (n×In) into s.logits.
func (s *Student) forward(head int, x []float64, n int) {
	s.ensure(n)
	s.acts[0] = x[:n*s.spec.In]
	in := s.spec.In
	for l := 0; l < s.spec.Depth; l++ {
		out := s.acts[l+1][:n*s.spec.Width]
		bias := s.B[l]
		for i := 0; i < n; i++ {
			copy(out[i*s.spec.Width:(i+1)*s.spec.Width], bias)
		}
		gemm(false, true, n, s.spec.Width, in, 1, s.acts[l], s.W[l], 1, out)
		if !s.spec.Linear {
			for i, v := range out {
				if v < 0 {
					out[i] = 0
				}
			}
		}
		in = s.spec.Width
	}
	c := s.spec.Classes
	lg := s.logits[:n*c]
	for i := 0; i < n; i++ {
		copy(lg[i*c:(i+1)*c], s.HB[head])
	}
	gemm(false, true, n, c, s.spec.Width, 1, s.acts[s.spec.Depth], s.HW[head], 1, lg)
}

// lossRows turns s.logits into the mean cross-entropy over the n rows and, when grad is true, into
// its gradient d loss / d logits = (softmax − onehot)/n, in place. It also counts correct argmaxes.
func (s *Student) lossRows(y []int, n int, grad bool) (loss float64, correct int) {
	c := s.spec.Classes
	for i := 0; i < n; i++ {
		z := s.logits[i*c : (i+1)*c]
		m := z[0]
		best := 0
		for j, v := range z {
			if v > m {
				m, best = v, j
			}
		}
		if best == y[i] {
			correct++
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(v - m)
		}
		lse := m + math.Log(sum)
		loss += lse - z[y[i]]
		if grad {
			for j, v := range z {
				z[j] = math.Exp(v-lse) / float64(n)
			}
			z[y[i]] -= 1 / float64(n)
		}
	}
	return loss / float64(n), correct
}

// Grads holds d loss / d parameters in the layout of Student (only the trained head's entries).
type Grads struct {
	W, B   [][]float64
	HW, HB []float64
}

// Step takes one SGD step on the mean cross-entropy of head's n examples (x: n×In, y: n labels):
// every trunk parameter and head's parameters move by −lr·gradient. It returns the loss before the
// step.
func (s *Student) Step(head int, x []float64, y []int, n int, lr float64) float64 {
	s.forward(head, x, n)
	loss, _ := s.lossRows(y, n, true)
	s.backward(head, n, lr, nil)
	return loss
}

// Gradient returns the loss of head on (x, y) and its gradient, leaving the parameters unchanged.
func (s *Student) Gradient(head int, x []float64, y []int, n int) (float64, *Grads) {
	s.forward(head, x, n)
	loss, _ := s.lossRows(y, n, true)
	g := &Grads{HW: make([]float64, len(s.HW[head])), HB: make([]float64, len(s.HB[head]))}
	for l := range s.W {
		g.W = append(g.W, make([]float64, len(s.W[l])))
		g.B = append(g.B, make([]float64, len(s.B[l])))
	}
	s.backward(head, n, 0, g)
	return loss, g
}

// backward propagates s.logits (holding d loss / d logits) back through head and the trunk. With
// g == nil it updates the parameters in place (W ← W − lr·dW, computing each layer's input gradient
// before its weights change); otherwise it stores the gradients in g.
func (s *Student) backward(head int, n int, lr float64, g *Grads) {
	c, w := s.spec.Classes, s.spec.Width
	dl := s.logits[:n*c]
	top := s.acts[s.spec.Depth][:n*w]
	dA := s.dA[:n*w]
	gemm(false, false, n, w, c, 1, dl, s.HW[head], 0, dA) // dA = dlogits · H
	if g == nil {
		gemm(true, false, c, w, n, -lr, dl, top, 1, s.HW[head])
		colSum(s.HB[head], dl, n, c, -lr)
	} else {
		gemm(true, false, c, w, n, 1, dl, top, 0, g.HW)
		colSum(g.HB, dl, n, c, 1)
	}
	for l := s.spec.Depth - 1; l >= 0; l-- {
		out := s.acts[l+1][:n*w]
		if !s.spec.Linear {
			for i, v := range out {
				if v <= 0 {
					dA[i] = 0
				}
			}
		}
		in := s.spec.In
		if l > 0 {
			in = w
		}
		var prev []float64
		if l > 0 {
			prev = s.dP[:n*in]
			gemm(false, false, n, in, w, 1, dA, s.W[l], 0, prev) // dA(l−1) = dZ · W
		}
		if g == nil {
			gemm(true, false, w, in, n, -lr, dA, s.acts[l], 1, s.W[l])
			colSum(s.B[l], dA, n, w, -lr)
		} else {
			gemm(true, false, w, in, n, 1, dA, s.acts[l], 0, g.W[l])
			colSum(g.B[l], dA, n, w, 1)
		}
		if l > 0 {
			s.dA, s.dP = s.dP, s.dA
			dA = s.dA[:n*in]
		}
	}
}

// colSum adds alpha·(column sums of the n×c matrix m) to dst.
func colSum(dst, m []float64, n, c int, alpha float64) {
	for i := 0; i < n; i++ {
		row := m[i*c : (i+1)*c]
		for j, v := range row {
			dst[j] += alpha * v
		}
	}
}

// Evaluate returns head's cross-entropy and accuracy on ds the way the authors' code reports them:
// over consecutive batches of batch points, the mean of the per-batch means (a short last batch
// weighs as much as a full one).
func (s *Student) Evaluate(head int, ds *Dataset, batch int) (loss, acc float64) {
	if batch <= 0 {
		batch = ds.N
	}
	nb := 0
	for i := 0; i < ds.N; i += batch {
		n := min(batch, ds.N-i)
		s.forward(head, ds.X[i*ds.D:], n)
		l, c := s.lossRows(ds.Y[i:], n, false)
		loss += l
		acc += float64(c) / float64(n)
		nb++
	}
	return loss / float64(nb), acc / float64(nb)
}
