package experiments_test

import (
	"context"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/lab/experiments"
)

// logitsConfig is a tiny budget: 500 MNIST digits, 2 epochs of 10 steps, two seeds and one sweep
// model (3 jobs of 20 steps), statistics on 400 test digits, attacks evaluated on the first 40.
func logitsConfig(t *testing.T, edit func(*config.Config)) config.Config {
	t.Helper()
	c := config.Default()
	c.Lab.RunsDir = t.TempDir()
	l := &c.Logits
	l.TrainSamples, l.Epochs, l.Batch, l.Seeds = 500, 2, 50, 2
	l.AttackSteps, l.EvalSamples, l.EvalSteps, l.EvalRestarts, l.StatsSamples = 2, 40, 5, 2, 400
	l.CurveEps, l.SweepEps, l.Gallery, l.CheckpointEvery = "0,0.05,0.2", "0.2", 3, 7
	if edit != nil {
		edit(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// newTestLab is a lab over c's runs directory offering exp.
func newTestLab(t *testing.T, c config.Config, exp lab.Experiment) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: c.Lab.RunsDir, Experiments: []lab.Experiment{exp}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func wait(t *testing.T, r *lab.Run) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(3 * time.Minute):
		t.Fatalf("run %s did not end within 3 minutes", r.ID())
	}
}

// runExperiment runs exp with c in a new lab and waits for the run to end.
func runExperiment(t *testing.T, c config.Config, exp lab.Experiment) *lab.Run {
	t.Helper()
	r, err := newTestLab(t, c, exp).Start(context.Background(), lab.Spec{Experiment: exp.Name(), Config: c})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, r)
	return r
}

// stepSeries returns every StepMetrics event's series, in order.
func stepSeries(r *lab.Run) []lab.StepMetrics {
	evs, _ := r.Since(0)
	var out []lab.StepMetrics
	for _, ev := range evs {
		if s, ok := ev.Body.(lab.StepMetrics); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestLogitsEndToEnd runs the experiment through a real lab.Lab on a tiny budget and checks what
// it promises: both loss curves every step, M and G histograms of both models, the robust
// accuracy curve, the gallery (event and PNG), and results.json with every named key.
func TestLogitsEndToEnd(t *testing.T) {
	t.Parallel()
	r := runExperiment(t, logitsConfig(t, nil), experiments.Logits{})
	info := r.Info()
	if info.Status != lab.StatusFinished {
		t.Fatalf("status %s: %s", info.Status, info.Reason)
	}
	steps := stepSeries(r)
	if len(steps) != 60 {
		t.Fatalf("%d step events, want 60 (3 jobs × 2 epochs × 10 steps)", len(steps))
	}
	for i, s := range steps {
		if s.Step != int64(i+1) {
			t.Fatalf("step event %d has step %d", i, s.Step)
		}
		_, std := s.Series["standard/loss"]
		_, rob := s.Series["robust/loss"]
		if !rob || (i < 40 && !std) {
			t.Fatalf("step %d series %v lack standard/robust loss", s.Step, s.Series)
		}
	}
	evs, _ := r.Since(0)
	var hists, points, images int
	for _, ev := range evs {
		switch b := ev.Body.(type) {
		case lab.Histogram:
			hists++
			if b.Name != "max_logit" && b.Name != "logit_gap" {
				t.Errorf("histogram %q", b.Name)
			}
			if len(b.Series) == 2 && (b.Series[0].Label != "standard seed 1" && b.Series[0].Label != "standard seed 2") {
				t.Errorf("histogram series %q", b.Series[0].Label)
			}
		case lab.Point:
			if b.Chart == "robust accuracy vs eps" {
				points++
			}
		case lab.Images:
			images++
			if len(b.Items) != 6 || b.C != 1 || b.H != 28 || len(b.Items[0].Pixels) != 784 || b.Path == "" {
				t.Errorf("images event: %d items, %d×%d×%d, path %q", len(b.Items), b.C, b.H, b.W, b.Path)
			}
			t.Log(b.Items[0].Caption)
		}
	}
	// Histograms: 2 per epoch per job (6 tracking points) = 12. Curve: 2 models × 2 seeds × 4 eps
	// (the curve's 0, 0.05, 0.2 and the training eps 0.1).
	if hists != 12 || points != 16 || images != 1 {
		t.Errorf("%d histograms (want 12), %d robust-accuracy points (want 16), %d galleries (want 1)", hists, points, images)
	}

	b, err := os.ReadFile(filepath.Join(r.Dir(), "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"standard", "robust", "spearman_confidence", "spearman_gap", "kendall_confidence",
		"spearman_confidence_seed_baseline", "eps_sweep", "masking_checks", "seeds", "gallery_png", "tracking", "wall_seconds"} {
		if _, ok := res[k]; !ok {
			t.Errorf("results.json lacks %q", k)
		}
	}
	for _, m := range []string{"standard", "robust"} {
		mr := res[m].(map[string]any)
		for _, k := range []string{"clean_acc", "robust_acc", "mean_max_logit", "mean_gap", "median_max_logit", "median_gap"} {
			if _, ok := mr[k]; !ok {
				t.Errorf("results.json %s lacks %q", m, k)
			}
		}
		ra := mr["robust_acc"].(map[string]any)
		if _, ok := ra["attack"].(string); !ok || len(ra["by_eps"].(map[string]any)) != 4 { // 0, 0.05, 0.1 (train), 0.2
			t.Errorf("%s robust_acc %v: want the attack named and 4 eps", m, ra)
		}
	}
	if sw := res["eps_sweep"].([]any); len(sw) != 3 {
		t.Errorf("eps_sweep has %d entries, want 3 (0, 0.1, 0.2)", len(sw))
	}
	if s := res["spearman_confidence"].(float64); !(s > -1 && s < 1) {
		t.Errorf("spearman_confidence %v", s)
	}
	f, err := os.Open(res["gallery_png"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("gallery PNG: %v", err)
	}
	if bd := img.Bounds(); bd.Dx() != 4+6+4+3*(84+4) || bd.Dy() != 4+2*(84+4) {
		t.Errorf("gallery PNG is %v", bd)
	}
	t.Logf("standard M %.2f G %.2f, robust M %.2f G %.2f; spearman conf %.3f vs baseline %.3f",
		res["standard"].(map[string]any)["mean_max_logit"], res["standard"].(map[string]any)["mean_gap"],
		res["robust"].(map[string]any)["mean_max_logit"], res["robust"].(map[string]any)["mean_gap"],
		res["spearman_confidence"], res["spearman_confidence_seed_baseline"])
}

// TestLogitsResume stops a run partway (through a Stop command, which checkpoints) and resumes
// it: the step losses and the final results must equal an uninterrupted run's, bit for bit.
func TestLogitsResume(t *testing.T) {
	t.Parallel()
	edit := func(c *config.Config) { c.Logits.Seeds, c.Logits.SweepEps = 1, "" }
	ref := runExperiment(t, logitsConfig(t, edit), experiments.Logits{})
	if ref.Info().Status != lab.StatusFinished {
		t.Fatalf("reference run: %+v", ref.Info())
	}

	c := logitsConfig(t, edit)
	l := newTestLab(t, c, experiments.Logits{})
	r, err := l.Start(context.Background(), lab.Spec{Experiment: "logits", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	for stopped := false; !stopped; {
		select {
		case <-r.Done():
			t.Fatal("the run ended before it could be stopped")
		case <-time.After(2 * time.Millisecond):
		}
		if s := stepSeries(r); len(s) >= 12 {
			if err := r.Send(lab.Stop("test")); err != nil {
				t.Fatal(err)
			}
			stopped = true
		}
	}
	wait(t, r)
	if st := r.Info().Status; st != lab.StatusStopped {
		t.Fatalf("status %s after stop: %s", st, r.Info().Reason)
	}
	r2, err := l.Resume(context.Background(), r.ID())
	if err != nil {
		t.Fatal(err)
	}
	wait(t, r2)
	if r2.Info().Status != lab.StatusFinished {
		t.Fatalf("resumed run: %+v", r2.Info())
	}
	a, b := stepSeries(ref), stepSeries(r2)
	if len(a) != len(b) {
		t.Fatalf("%d steps resumed, %d uninterrupted", len(b), len(a))
	}
	for i := range a {
		for k, v := range a[i].Series {
			if w := b[i].Series[k]; math.Float64bits(v) != math.Float64bits(w) || a[i].Step != b[i].Step {
				t.Fatalf("step %d %s: %v resumed, %v uninterrupted", a[i].Step, k, w, v)
			}
		}
	}
	ra, rb := ref.Info().Results, r2.Info().Results
	for _, k := range []string{"spearman_confidence", "kendall_confidence", "spearman_confidence_seed_baseline"} {
		if ra[k] != rb[k] {
			t.Errorf("%s: %v resumed, %v uninterrupted", k, rb[k], ra[k])
		}
	}
	for _, m := range []string{"standard", "robust"} {
		x, y := ra[m].(map[string]any), rb[m].(map[string]any)
		if x["mean_max_logit"] != y["mean_max_logit"] || x["clean_acc"] != y["clean_acc"] {
			t.Errorf("%s: resumed %v/%v, uninterrupted %v/%v", m, y["mean_max_logit"], y["clean_acc"], x["mean_max_logit"], x["clean_acc"])
		}
	}
}

// TestLogitsLiveSettings: live eps, attack_steps and lr are applied and reported; an unknown
// setting, beta under pgd and an out-of-range eps are refused with a warning.
func TestLogitsLiveSettings(t *testing.T) {
	t.Parallel()
	c := logitsConfig(t, func(c *config.Config) { c.Logits.Seeds, c.Logits.SweepEps, c.Logits.Epochs = 1, "", 1 })
	l := newTestLab(t, c, experiments.Logits{})
	r, err := l.Start(context.Background(), lab.Spec{Experiment: "logits", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []lab.Command{lab.Pause("test"), lab.Set("eps", 0.15, "test"), lab.Set("attack_steps", 2, "test"),
		lab.Set("lr", 5e-4, "test"), lab.Set("beta", 3, "test"), lab.Set("eps", 2, "test"), lab.Set("momentum", 1, "test"), lab.Resume("test")} {
		if err := r.Send(cmd); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, r)
	if r.Info().Status != lab.StatusFinished {
		t.Fatalf("%+v", r.Info())
	}
	evs, _ := r.Since(0)
	applied, warned := map[string]float64{}, 0
	for _, ev := range evs {
		switch b := ev.Body.(type) {
		case lab.SettingApplied:
			applied[b.Name] = b.Value
		case lab.Message:
			if b.Level == "warn" {
				warned++
				t.Log(b.Text)
			}
		}
	}
	if applied["eps"] != 0.15 || applied["attack_steps"] != 2 || applied["lr"] != 5e-4 || len(applied) != 3 {
		t.Errorf("applied %v", applied)
	}
	if warned < 3 {
		t.Errorf("%d warnings, want at least 3 refusals", warned)
	}
	if e := r.Info().Results["train_eps"]; e != 0.15 {
		t.Errorf("results train_eps %v, want the live 0.15", e)
	}
}
