package models

import (
	"testing"

	"github.com/logitlab/logitlab/internal/blas"
)

// BenchmarkWaveNetStep times one training step of the bench shapes: batch 16, T = 8000, 2 blocks
// of dilations 1…64, 32 channels, one 10-class head.
func BenchmarkWaveNetStep(b *testing.B) {
	benchWaveStep(b, WaveNetSpec{Heads: []HeadSpec{{"kw", 10}}}, 16, 8000)
}

func benchWaveStep(b *testing.B, spec WaveNetSpec, batch, length int) {
	b.Logf("blas: %+v", blas.Init()) // as the program does at start-up (OpenBLAS with -tags openblas)
	net, err := NewWaveNet(spec, 1)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewWaveTrainer(net, []WaveTask{{Head: spec.Heads[0].Name, Batch: batch, Len: length, Weight: 1}}, OptimSpec{Name: OptimAdam, LR: 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	wb := WaveBatch{X: make([]float32, batch*length), Labels: make([]int, batch)}
	for i := range wb.X {
		wb.X[i] = float32(i%97) / 97
	}
	b.ResetTimer()
	for range b.N {
		if _, err := tr.Step([]WaveBatch{wb}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "clips/s")
}

// BenchmarkWaveNetSmallStep is the experiment's default encoder: 16 channels, one block of 1…32.
func BenchmarkWaveNetSmallStep(b *testing.B) {
	benchWaveStep(b, WaveNetSpec{Channels: 16, Blocks: 1, Dilations: []int{1, 2, 4, 8, 16, 32}, Heads: []HeadSpec{{"kw", 10}}}, 16, 8000)
}
