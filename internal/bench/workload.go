package bench

import (
	"fmt"
	"strings"
)

// Workload is one benchmarked computation: a step of our code and, optionally, its PyTorch peer.
// Adding one to a Registry is a struct literal.
type Workload struct {
	Name  string // as given to --workloads; lowercase, no commas
	About string // one line: shapes, optimizer

	// SamplesPerStep is how many samples one step processes (the batch size).
	SamplesPerStep int
	// FLOPsPerStep is the model FLOPs of one step (GEMM and convolution multiply-adds counted
	// as 2 FLOPs; element-wise work, pooling and the optimizer left out). See DenseFLOPs and
	// ConvFLOPs. Zero means unknown: no GFLOP/s is reported.
	FLOPsPerStep float64

	// Setup builds the workload in the worker process and returns one step, and done to free
	// what Setup made. Its time is not measured. step is called from one goroutine.
	Setup func() (step func() error, done func(), err error)

	// TorchName is the --workload name for scripts/torch_bench.py; "" means no PyTorch peer.
	TorchName string
}

// Registry is the ordered list of workloads that `logitlab bench` knows. The order is the
// order of the report.
type Registry []Workload

// Lookup returns the workload called name.
func (r Registry) Lookup(name string) (Workload, bool) {
	for _, w := range r {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// Names lists the workloads' names in order.
func (r Registry) Names() []string {
	out := make([]string, len(r))
	for i, w := range r {
		out[i] = w.Name
	}
	return out
}

// Select returns the named workloads in the order given; no names means all of them. An
// unknown name is an error that lists the known ones.
func (r Registry) Select(names []string) (Registry, error) {
	if len(names) == 0 {
		return r, nil
	}
	out := make(Registry, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		w, ok := r.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("bench: unknown workload %q; known: %s", n, strings.Join(r.Names(), ", "))
		}
		seen[n] = true
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: no workload named; known: %s", strings.Join(r.Names(), ", "))
	}
	return out, nil
}

// validate reports a workload that cannot be run, naming the field to fix.
func (w Workload) validate() error {
	switch {
	case w.Name == "" || strings.ContainsAny(w.Name, ", \t\n="):
		return fmt.Errorf("bench: workload name %q must be non-empty, without commas, spaces or '='", w.Name)
	case w.SamplesPerStep <= 0:
		return fmt.Errorf("bench: workload %s: SamplesPerStep must be positive", w.Name)
	case w.Setup == nil:
		return fmt.Errorf("bench: workload %s: Setup is nil", w.Name)
	case w.FLOPsPerStep < 0:
		return fmt.Errorf("bench: workload %s: FLOPsPerStep is negative", w.Name)
	}
	return nil
}

// Pass says which products a training or attack step computes for a layer.
type Pass int

const (
	// Forward: y = f(x; W) only.
	Forward Pass = 1
	// TrainFirst: forward and dL/dW, but not dL/dx (the first layer of a training step: the
	// input needs no gradient).
	TrainFirst Pass = 2
	// Train: forward, dL/dW and dL/dx (any later layer of a training step).
	Train Pass = 3
	// InputGrad: forward and dL/dx, not dL/dW (an attack step: gradient with respect to the input).
	InputGrad Pass = 2
)

// DenseFLOPs is the FLOPs of a fully connected layer in×out over batch samples:
//
//	2·batch·in·out per product (forward y = xW, dW = xᵀ·dy, dx = dy·Wᵀ), times the products in p.
func DenseFLOPs(batch, in, out int, p Pass) float64 {
	return 2 * float64(batch) * float64(in) * float64(out) * float64(p)
}

// ConvFLOPs is the FLOPs of a 2-D convolution with cin→cout channels, a kh×kw kernel and an
// oh×ow output over batch samples:
//
//	2·batch·oh·ow·cout·cin·kh·kw per product, times the products in p.
func ConvFLOPs(batch, cin, cout, kh, kw, oh, ow int, p Pass) float64 {
	return 2 * float64(batch) * float64(oh*ow) * float64(cout) * float64(cin*kh*kw) * float64(p)
}
