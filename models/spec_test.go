package models

import (
	"math"
	"testing"
)

func TestSpecValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		spec Spec
		ok   bool
	}{
		{"mnist mlp", Spec{Arch: "mlp", C: 1, H: 28, W: 28, Classes: 10}, true},
		{"mnist cnn", Spec{Arch: "cnn", C: 1, H: 28, W: 28, Classes: 10}, true},
		{"cifar cnn", Spec{Arch: "cnn", C: 3, H: 32, W: 32, Classes: 10, Conv: []int{16, 32, 64}}, true},
		{"unknown arch", Spec{Arch: "rnn", C: 1, H: 28, W: 28, Classes: 10}, false},
		{"one class", Spec{Arch: "mlp", C: 1, H: 28, W: 28, Classes: 1}, false},
		{"zero channels", Spec{Arch: "mlp", C: 0, H: 28, W: 28, Classes: 10}, false},
		{"negative width", Spec{Arch: "mlp", C: 1, H: 28, W: 28, Classes: 10, Hidden: []int{-3}}, false},
		{"too small for pools", Spec{Arch: "cnn", C: 1, H: 3, W: 28, Classes: 10}, false},
		{"too many params", Spec{Arch: "mlp", C: 1, H: 1 << 10, W: 1 << 10, Classes: 10, Hidden: []int{1 << 10}}, false},
		{"overflowing params", Spec{Arch: "cnn", C: 1 << 16, H: 1 << 16, W: 1 << 16, Classes: 1 << 20, Conv: []int{1 << 20}, FC: 1 << 20}, false},
	} {
		if err := tc.spec.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	for _, o := range []OptimSpec{{Name: "rmsprop"}, {LR: -1}, {LR: math.NaN()}, {Name: "sgd", Momentum: 1}, {Beta2: 1.5}, {Eps: -1}, {WeightDecay: math.Inf(1)}} {
		if err := o.Validate(); err == nil {
			t.Errorf("OptimSpec%+v.Validate() succeeded", o)
		}
	}
	if o := (OptimSpec{Name: "sgd"}).WithDefaults(); o.LR != 0.05 || o.Momentum != 0.9 {
		t.Errorf("sgd defaults: %+v", o)
	}
	if o := (OptimSpec{}).WithDefaults(); o.Name != "adam" || o.LR != 1e-3 || o.Beta1 != 0.9 || o.Beta2 != 0.999 || o.Eps != 1e-8 {
		t.Errorf("adam defaults: %+v", o)
	}
}
