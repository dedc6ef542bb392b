package models

import (
	"fmt"
	"math"
)

// optimizer updates parameters in place from their gradients; its state is one slice per
// parameter per moment.
type optimizer struct {
	spec OptimSpec   // defaults applied
	m, v [][]float32 // adam first and second moments; sgd uses m as the momentum buffer
}

func newOptimizer(spec OptimSpec, sizes []int) *optimizer {
	o := &optimizer{spec: spec}
	for _, n := range sizes {
		o.m = append(o.m, make([]float32, n))
		if spec.Name == OptimAdam {
			o.v = append(o.v, make([]float32, n))
		}
	}
	return o
}

// update applies one step to parameter i with learning rate lr; t is the 1-based step number.
//
// Adam (decoupled weight decay λ, as PyTorch's AdamW):
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//	p ← p·(1 − lr·λ) − (lr/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε)
//
// SGD with momentum μ and L2 weight decay λ (as PyTorch's SGD, no dampening):
//
//	g ← g + λ·p,  m ← μ·m + g,  p ← p − lr·m
func (o *optimizer) update(i int, p, g []float32, lr float64, t int64) {
	s := o.spec
	m := o.m[i][:len(p)]
	g = g[:len(p)]
	if s.Name == OptimSGD {
		mu, wd, lr32 := float32(s.Momentum), float32(s.WeightDecay), float32(lr)
		for j, pj := range p {
			gj := g[j] + wd*pj
			mj := mu*m[j] + gj
			m[j] = mj
			p[j] = pj - lr32*mj
		}
		return
	}
	v := o.v[i][:len(p)]
	b1, b2 := float32(s.Beta1), float32(s.Beta2)
	c1, c2 := 1-b1, 1-b2
	bc1 := 1 - math.Pow(s.Beta1, float64(t))
	bc2 := 1 - math.Pow(s.Beta2, float64(t))
	step := float32(lr / bc1)
	invSqrtBC2 := float32(1 / math.Sqrt(bc2))
	eps := float32(s.Eps)
	decay := float32(1 - lr*s.WeightDecay)
	for j, pj := range p {
		gj := g[j]
		mj := b1*m[j] + c1*gj
		vj := b2*v[j] + c2*gj*gj
		m[j], v[j] = mj, vj
		den := float32(math.Sqrt(float64(vj)))*invSqrtBC2 + eps
		p[j] = pj*decay - step*mj/den
	}
}

// stateNames lists the checkpoint tensor name prefixes of the optimizer's moments.
func (o *optimizer) stateNames() []string {
	if o.spec.Name == OptimSGD {
		return []string{"sgd.momentum/"}
	}
	return []string{"adam.m/", "adam.v/"}
}

func (o *optimizer) state(k int) [][]float32 {
	if k == 0 {
		return o.m
	}
	return o.v
}

// encodeUint64 splits u into four 16-bit chunks, each exact in a float32, so that integers and
// float64 bit patterns survive a []float32 checkpoint tensor bit for bit.
func encodeUint64(u uint64) []float32 {
	return []float32{float32(u >> 48), float32(u >> 32 & 0xffff), float32(u >> 16 & 0xffff), float32(u & 0xffff)}
}

func decodeUint64(d []float32) (uint64, error) {
	if len(d) != 4 {
		return 0, fmt.Errorf("want 4 values, got %d", len(d))
	}
	var u uint64
	for _, f := range d {
		if f < 0 || f > 0xffff || f != float32(int(f)) {
			return 0, fmt.Errorf("value %v is not a 16-bit chunk", f)
		}
		u = u<<16 | uint64(f)
	}
	return u, nil
}
