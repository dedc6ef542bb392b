package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/logitlab/logitlab/lab"
)

func TestPrintLines(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	p := &Printer{Out: &out, Every: time.Second, Now: func() time.Time { return clock }}
	p.Print("r", lab.Started{Experiment: "train"})
	p.Print("r", lab.Progress{Step: 0, TotalSteps: 100})
	p.Print("r", lab.StepMetrics{Step: 1, Epoch: 1, Loss: 2.3, LR: 1e-3, SamplesPerSec: 1000})
	clock = clock.Add(100 * time.Millisecond)
	p.Print("r", lab.StepMetrics{Step: 2, Epoch: 1, Loss: 2.2, LR: 1e-3, SamplesPerSec: 1000}) // too soon: no line
	clock = clock.Add(10 * time.Second)
	p.Print("r", lab.StepMetrics{Step: 51, Epoch: 1, Loss: 1.5, LR: 1e-3, SamplesPerSec: 1000})
	p.Print("r", lab.EpochSummary{Step: 51, Epoch: 1, TrainLoss: 1.7, TestLoss: 1.6, TestAcc: 0.8})
	p.Print("r", lab.SettingApplied{Name: "lr", Value: 0.01, By: "tui", Step: 51})
	p.Print("r", lab.CheckpointSaved{Step: 51, Path: "x"})
	p.Print("r", lab.Failed{Step: 51, Reason: "diverged at step 52"})
	p.Print("r", lab.Finished{Step: 100, Results: map[string]any{"test_acc": 0.9, "other": 1}})
	want := []string{
		"r: started train run",
		"r: step 1/100 epoch 1 loss 2.3000 lr 0.001 1000 samples/s",
		"r: step 51/100 epoch 1 loss 1.5000 lr 0.001 1000 samples/s ETA 10s", // 50 steps took 10 s; 49 left
		"r: eval step 51 epoch 1 train_loss 1.7000 test_loss 1.6000 test_acc 0.8000",
		"r: lr set to 0.01 by tui at step 51",
		"r: FAILED after step 51: diverged at step 52",
		"r: finished at step 100",
		"r:   test_acc = 0.9",
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(got), out.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Error("escape codes in plain output")
	}
}
