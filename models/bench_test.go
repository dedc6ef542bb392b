package models

import (
	"testing"

	"github.com/logitlab/logitlab/internal/blas"
)

// benchTrain measures Trainer.Step on a fixed batch of random pixels (MNIST-shaped).
func benchTrain(b *testing.B, s Spec, batch int, o OptimSpec) {
	blas.Init() // as the program does at start-up (OpenBLAS with -tags openblas)
	n := mustNet(b, s, 1)
	tr := mustTrainer(b, n, batch, o)
	x, y := randData(s, batch, 2)
	if _, err := tr.Step(x, y); err != nil { // warm up
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := tr.Step(x, y); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkMLPTrainStep: 784-256-256-10, batch 128, Adam.
func BenchmarkMLPTrainStep(b *testing.B) {
	benchTrain(b, Spec{Arch: ArchMLP, C: 1, H: 28, W: 28, Classes: 10}, 128, OptimSpec{})
}

// BenchmarkCNNTrainStep: 1×28×28, conv32-pool-conv64-pool-fc128-10, batch 64, Adam.
func BenchmarkCNNTrainStep(b *testing.B) {
	benchTrain(b, Spec{Arch: ArchCNN, C: 1, H: 28, W: 28, Classes: 10}, 64, OptimSpec{})
}

// benchInputGrad measures InputGrad.Grad for one batch of random pixels (MNIST-shaped).
func benchInputGrad(b *testing.B, s Spec, batch int) {
	blas.Init()
	n := mustNet(b, s, 1)
	ig, err := NewInputGrad(n, batch)
	if err != nil {
		b.Fatal(err)
	}
	defer ig.Close()
	x, y := randData(s, batch, 2)
	dst := make([]float32, len(x))
	if _, err := ig.Grad(dst, x, y); err != nil { // warm up
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := ig.Grad(dst, x, y); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkMLPInputGrad: one FGSM/PGD gradient for a batch of 128 on the MNIST MLP.
func BenchmarkMLPInputGrad(b *testing.B) {
	benchInputGrad(b, Spec{Arch: ArchMLP, C: 1, H: 28, W: 28, Classes: 10}, 128)
}

// BenchmarkCNNInputGrad: one FGSM/PGD gradient for a batch of 128 on the MNIST CNN.
func BenchmarkCNNInputGrad(b *testing.B) {
	benchInputGrad(b, Spec{Arch: ArchCNN, C: 1, H: 28, W: 28, Classes: 10}, 128)
}

// BenchmarkMLPEvaluate: forward-only logits for 1024 samples in batches of 256.
func BenchmarkMLPEvaluate(b *testing.B) {
	blas.Init()
	s := Spec{Arch: ArchMLP, C: 1, H: 28, W: 28, Classes: 10}
	n := mustNet(b, s, 1)
	ev, err := NewEvaluator(n, 256)
	if err != nil {
		b.Fatal(err)
	}
	defer ev.Close()
	x, y := randData(s, 1024, 2)
	b.ReportAllocs()
	for range b.N {
		if _, _, err := ev.Evaluate(x, y); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1024)/b.Elapsed().Seconds(), "samples/s")
}
