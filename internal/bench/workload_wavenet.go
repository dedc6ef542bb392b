package bench

import (
	"math/rand/v2"

	"github.com/logitlab/logitlab/models"
)

// The wavenet workload: paper 3's encoder at the shapes of the issue.
const (
	wavenetBatch   = 16
	wavenetLen     = 8000
	wavenetClasses = 10
)

// wavenetSpec is 2 blocks × dilations 1…64, 32 channels, gated, residual + skip, one 10-class head.
func wavenetSpec() models.WaveNetSpec {
	return models.WaveNetSpec{Channels: 32, Blocks: 2, Dilations: []int{1, 2, 4, 8, 16, 32, 64}, Kernel: 2,
		Heads: []models.HeadSpec{{Name: "head", Classes: wavenetClasses}}}.WithDefaults()
}

// WaveNetWorkload is one Adam training step of the WaveNet encoder and a classification head on
// batch 16 × 1 × 8000 samples (one second at 8 kHz).
func WaveNetWorkload() Workload {
	return Workload{
		Name: "wavenet", About: "WaveNet 2 blocks × dilations 1..64, 32 ch, gated, residual+skip, mean+max pool, batch 16 × 8000 samples, Adam",
		SamplesPerStep: wavenetBatch, FLOPsPerStep: WaveNetFLOPs(wavenetSpec(), wavenetBatch, wavenetLen),
		Setup: wavenetSetup, TorchName: "wavenet",
	}
}

// WaveNetFLOPs is the model FLOPs of a training step: every convolution as a dense layer per time
// step (the dilated ones with K taps), forward + dW + dx, except the input 1×1 convolution
// (forward + dW) and the head.
func WaveNetFLOPs(s models.WaveNetSpec, batch, length int) float64 {
	bt := batch * length
	c, k := s.Channels, s.Kernel
	f := DenseFLOPs(bt, 1, c, TrainFirst)
	layers := s.Blocks * len(s.Dilations)
	f += float64(layers) * (2*DenseFLOPs(bt, c*k, c, Train) + DenseFLOPs(bt, c, c, Train)) // filter, gate, skip
	f += float64(layers-1) * DenseFLOPs(bt, c, c, Train)                                   // residual (none after the last layer)
	f += DenseFLOPs(bt, c, c, Train)                                                       // post
	for _, h := range s.Heads {
		f += DenseFLOPs(batch, 2*c, h.Classes, Train)
	}
	return f
}

func wavenetSetup() (func() error, func(), error) {
	s := wavenetSpec()
	net, err := models.NewWaveNet(s, 1)
	if err != nil {
		return nil, nil, err
	}
	tr, err := models.NewWaveTrainer(net, []models.WaveTask{{Head: "head", Batch: wavenetBatch, Len: wavenetLen, Weight: 1}},
		models.OptimSpec{Name: models.OptimAdam, LR: 1e-3})
	if err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(1, 0))
	b := models.WaveBatch{X: make([]float32, wavenetBatch*wavenetLen), Labels: make([]int, wavenetBatch)}
	for i := range b.X {
		b.X[i] = 2*rng.Float32() - 1
	}
	for i := range b.Labels {
		b.Labels[i] = rng.IntN(wavenetClasses)
	}
	step := func() error {
		_, err := tr.Step([]models.WaveBatch{b})
		return err
	}
	return step, func() { _ = tr.Close() }, nil
}
