package experiments_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/lab/experiments"
)

func trainConfig(t *testing.T, edit func(*config.Config)) config.Config {
	t.Helper()
	c := config.Default()
	c.Lab.RunsDir = t.TempDir()
	c.Train.Data, c.Train.Epochs, c.Train.Batch = "fashion", 1, 100 // 5,000 built-in images: 50 steps
	if edit != nil {
		edit(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func runTrain(t *testing.T, c config.Config) *lab.Run {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: c.Lab.RunsDir, Experiments: []lab.Experiment{experiments.Train{}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Start(context.Background(), lab.Spec{Experiment: "train", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Done():
	case <-time.After(2 * time.Minute):
		t.Fatal("train run did not end")
	}
	return r
}

func stepLosses(r *lab.Run) []float64 {
	evs, _ := r.Since(0)
	var out []float64
	for _, ev := range evs {
		if s, ok := ev.Body.(lab.StepMetrics); ok {
			out = append(out, s.Loss)
		}
	}
	return out
}

func TestTrainLearnsAndReports(t *testing.T) {
	r := runTrain(t, trainConfig(t, nil))
	info := r.Info()
	if info.Status != lab.StatusFinished {
		t.Fatalf("status %s: %s", info.Status, info.Reason)
	}
	res := info.Results
	for _, k := range []string{"test_acc", "train_loss", "epochs", "samples_per_sec", "wall_seconds", "test_loss", "steps"} {
		if _, ok := res[k]; !ok {
			t.Errorf("results lack %q: %v", k, res)
		}
	}
	// One epoch of an MLP on 5,000 Fashion-MNIST images reaches about 0.75–0.8; chance is 0.1.
	if acc := res["test_acc"].(float64); acc < 0.65 {
		t.Errorf("test_acc = %v after one epoch, want > 0.65", acc)
	}
	if steps := res["steps"].(int64); steps != 50 {
		t.Errorf("steps = %d, want 50", steps)
	}
	losses := stepLosses(r)
	if len(losses) != 50 || !(losses[49] < losses[0]) {
		t.Errorf("loss did not fall: first %v last %v (%d steps)", losses[0], losses[len(losses)-1], len(losses))
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	a := stepLosses(runTrain(t, trainConfig(t, nil)))
	b := stepLosses(runTrain(t, trainConfig(t, nil)))
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: loss %v, then %v with the same seed", i+1, a[i], b[i])
		}
	}
	c := stepLosses(runTrain(t, trainConfig(t, func(c *config.Config) { c.Train.Seed = 2 })))
	if c[5] == a[5] {
		t.Error("another seed gave the same losses")
	}
}

func TestTrainDivergesClearly(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"non-finite under sgd", func(c *config.Config) { c.Train.Optimizer, c.Train.LR, c.Train.MaxLoss = "sgd", 1e4, 1e300 }, "lower the learning rate"},
		{"explosion under adam", func(c *config.Config) { c.Train.LR = 1e4 }, "above train.max_loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runTrain(t, trainConfig(t, tc.edit))
			info := r.Info()
			if info.Status != lab.StatusFailed || info.Step > 5 {
				t.Fatalf("status %s at step %d (%s), want failed within a few steps", info.Status, info.Step, info.Reason)
			}
			evs, _ := r.Since(0)
			f := evs[len(evs)-1].Body.(lab.Failed)
			if !strings.Contains(f.Reason, "diverged at step") || !strings.Contains(f.Reason, tc.want) {
				t.Fatalf("failed event %+v", f)
			}
			t.Log(f.Reason)
		})
	}
}

func TestTrainRejectsBadData(t *testing.T) {
	r := runTrain(t, trainConfig(t, func(c *config.Config) { c.Train.Data = "cifar" }))
	if info := r.Info(); info.Status != lab.StatusFailed || info.Reason == "" {
		t.Fatalf("cifar without --data-dir: %+v", info)
	}
}
