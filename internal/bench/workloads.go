package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/logitlab/logitlab/models"
)

// benchBatch is the batch size of the built-in workloads.
const benchBatch = 128

// mnistSpec is a 1×28×28, 10-class classifier of the given architecture, defaults applied.
func mnistSpec(arch string) models.Spec {
	return models.Spec{Arch: arch, C: 1, H: 28, W: 28, Classes: 10}.WithDefaults()
}

// Workloads is the registry of `logitlab bench`:
//
//	mlp      784-256-256-10, batch 128, Adam: one training step
//	cnn      conv32-pool-conv64-pool-fc128-fc10 on 1×28×28 (3×3 pad 1 + bias, 2×2 max-pool),
//	         batch 128, Adam: one training step
//	pgd-cnn  the cnn: one L∞ PGD step on the input batch (∂loss/∂x, then x ← clip(x+α·sign g))
//
// Inputs are one fixed batch of uniform [0,1) pixels and random labels (seed 1), like
// scripts/torch_bench.py.
func Workloads() Registry {
	mlp, cnn := mnistSpec(models.ArchMLP), mnistSpec(models.ArchCNN)
	return Registry{
		{
			Name: "mlp", About: "MLP 784-256-256-10, batch 128, Adam, train step",
			SamplesPerStep: benchBatch, FLOPsPerStep: ClassifierFLOPs(mlp, benchBatch, true),
			Setup: trainSetup(mlp, benchBatch), TorchName: "mlp",
		},
		{
			Name: "cnn", About: "CNN conv32-pool-conv64-pool-fc128-fc10 on 1×28×28, batch 128, Adam, train step",
			SamplesPerStep: benchBatch, FLOPsPerStep: ClassifierFLOPs(cnn, benchBatch, true),
			Setup: trainSetup(cnn, benchBatch), TorchName: "cnn",
		},
		{
			Name: "pgd-cnn", About: "the CNN, one L∞ PGD input-gradient step (ε 0.3, α 0.01), batch 128",
			SamplesPerStep: benchBatch, FLOPsPerStep: ClassifierFLOPs(cnn, benchBatch, false),
			Setup: pgdSetup(cnn, benchBatch, 0.3, 0.01), TorchName: "pgd-cnn",
		},
		WaveNetWorkload(),
	}
}

// ClassifierFLOPs is the model FLOPs of one step of a models.Spec classifier (defaults applied)
// over batch samples: a training step (train) counts forward, dW for every layer and dx for
// every layer but the first; an input-gradient step counts forward and dx for every layer.
func ClassifierFLOPs(s models.Spec, batch int, train bool) float64 {
	first, rest := InputGrad, InputGrad
	if train {
		first, rest = TrainFirst, Train
	}
	pass := func(i int) Pass {
		if i == 0 {
			return first
		}
		return rest
	}
	var f float64
	layer := 0
	in := s.InputDim()
	if s.Arch == models.ArchCNN {
		c, h, w := s.C, s.H, s.W
		for _, out := range s.Conv {
			f += ConvFLOPs(batch, c, out, 3, 3, h, w, pass(layer))
			layer++
			c, h, w = out, h/2, w/2
		}
		in = c * h * w
		f += DenseFLOPs(batch, in, s.FC, pass(layer))
		layer++
		in = s.FC
	} else {
		for _, out := range s.Hidden {
			f += DenseFLOPs(batch, in, out, pass(layer))
			layer++
			in = out
		}
	}
	return f + DenseFLOPs(batch, in, s.Classes, pass(layer))
}

// randomBatch is batch samples of uniform [0,1) values and labels in [0, classes), seed 1.
func randomBatch(s models.Spec, batch int) ([]float32, []int) {
	rng := rand.New(rand.NewPCG(1, 0))
	x := make([]float32, batch*s.InputDim())
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]int, batch)
	for i := range y {
		y[i] = rng.IntN(s.Classes)
	}
	return x, y
}

// trainSetup builds a Trainer (Adam, lr 1e-3) whose step trains on one fixed batch.
func trainSetup(s models.Spec, batch int) func() (func() error, func(), error) {
	return func() (func() error, func(), error) {
		net, err := models.NewNet(s, 1)
		if err != nil {
			return nil, nil, err
		}
		tr, err := models.NewTrainer(net, batch, models.OptimSpec{Name: models.OptimAdam, LR: 1e-3})
		if err != nil {
			return nil, nil, err
		}
		x, y := randomBatch(s, batch)
		step := func() error {
			_, err := tr.Step(x, y)
			return err
		}
		return step, func() { _ = tr.Close() }, nil
	}
}

// pgdSetup builds an InputGrad whose step is one L∞ PGD step from the current adversarial batch:
//
//	x ← min(max(x + α·sign(∂L/∂x), x0 − ε), x0 + ε) clipped to [0, 1].
func pgdSetup(s models.Spec, batch int, eps, alpha float32) func() (func() error, func(), error) {
	return func() (func() error, func(), error) {
		net, err := models.NewNet(s, 1)
		if err != nil {
			return nil, nil, err
		}
		ig, err := models.NewInputGrad(net, batch)
		if err != nil {
			return nil, nil, err
		}
		x0, y := randomBatch(s, batch)
		x := append([]float32(nil), x0...)
		g := make([]float32, len(x))
		step := func() error {
			if _, err := ig.Grad(g, x, y); err != nil {
				return fmt.Errorf("input gradient: %w", err)
			}
			for i, gi := range g {
				v := x[i]
				switch {
				case gi > 0:
					v += alpha
				case gi < 0:
					v -= alpha
				}
				x[i] = min(max(v, x0[i]-eps, 0), x0[i]+eps, 1)
			}
			return nil
		}
		return step, func() { _ = ig.Close() }, nil
	}
}
