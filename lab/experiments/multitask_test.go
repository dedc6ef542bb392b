package experiments_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/lab/experiments"
)

func multitaskConfig(t *testing.T, edit func(*config.MultitaskConfig)) config.Config {
	t.Helper()
	c := config.Default()
	c.Lab.RunsDir = t.TempDir()
	m := &c.Multitask
	m.D, m.Rank, m.Classes, m.NTest, m.Width, m.Epochs, m.LR, m.Batch = 12, 4, 4, 60, 8, 20, 0.05, 16
	m.NTrain, m.SA, m.SB, m.R, m.Depth, m.Seeds, m.Workers = "32", "10", "0.5,10", "0,1", "1", 2, 2
	if edit != nil {
		edit(m)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func startMultitask(t *testing.T, l *lab.Lab, c config.Config) *lab.Run {
	t.Helper()
	r, err := l.Start(context.Background(), lab.Spec{Experiment: "multitask", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newMultitaskLab(t *testing.T, c config.Config) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: c.Lab.RunsDir, Experiments: []lab.Experiment{experiments.Multitask{}}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mtWait(t *testing.T, r *lab.Run) lab.RunInfo {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(2 * time.Minute):
		t.Fatal("multitask run did not end")
	}
	return r.Info()
}

func mtPoints(r *lab.Run) []lab.Point {
	evs, _ := r.Since(0)
	var out []lab.Point
	for _, ev := range evs {
		if p, ok := ev.Body.(lab.Point); ok {
			out = append(out, p)
		}
	}
	return out
}

// TestMultitaskSweep runs a tiny sweep through a lab: it finishes, writes the table, the summary and
// the figure, draws the benefit chart as Points, and a second run on the same cells folder trains
// nothing and writes the same table.
func TestMultitaskSweep(t *testing.T) {
	t.Parallel()
	cells := t.TempDir()
	c := multitaskConfig(t, func(m *config.MultitaskConfig) { m.CellsDir = cells })
	l := newMultitaskLab(t, c)
	r := startMultitask(t, l, c)
	info := mtWait(t, r)
	if info.Status != lab.StatusFinished {
		t.Fatalf("run ended %s: %s", info.Status, info.Reason)
	}
	if got := info.Results["rows"]; got != 8 {
		t.Errorf("rows = %v, want s_b × r × seeds = 8", got)
	}
	if got := info.Results["trainings_run"]; got != int64(10) && got != 10 {
		t.Errorf("trainings_run = %v (%T), want 10", got, got)
	}
	table, err := os.ReadFile(filepath.Join(r.Dir(), "multitask_cells.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"multitask_summary.csv", "multitask_benefit.png"} {
		if _, err := os.Stat(filepath.Join(r.Dir(), f)); err != nil {
			t.Error(err)
		}
	}
	series := map[string]int{}
	for _, p := range mtPoints(r) {
		if p.Chart != "benefit vs s_b, s_a=10" {
			t.Errorf("point on chart %q", p.Chart)
		}
		series[p.Series]++
	}
	if series["r=0"] == 0 || series["r=1"] == 0 {
		t.Errorf("points by series: %v; want r=0 and r=1", series)
	}

	again := startMultitask(t, l, c)
	if info := mtWait(t, again); info.Status != lab.StatusFinished || info.Results["trainings_run"] != int64(0) {
		t.Fatalf("second run: %s, trainings_run %v; want finished with 0", info.Status, info.Results["trainings_run"])
	}
	table2, _ := os.ReadFile(filepath.Join(again.Dir(), "multitask_cells.csv"))
	if !bytes.Equal(table, table2) {
		t.Errorf("the resumed table differs:\n%s\nvs\n%s", table, table2)
	}
}

// TestMultitaskStopResume stops a sweep after its first trainings and resumes it: the resumed run
// finishes with the table an uninterrupted run writes.
func TestMultitaskStopResume(t *testing.T) {
	t.Parallel()
	c := multitaskConfig(t, func(m *config.MultitaskConfig) { m.Epochs, m.Seeds, m.Workers = 60, 3, 1 })
	l := newMultitaskLab(t, c)
	r := startMultitask(t, l, c)
	sub := l.Subscribe()
	defer sub.Close()
	for stopped := false; !stopped; {
		select {
		case <-sub.C():
		case <-r.Done():
			t.Fatal("the run ended before it could be stopped")
		case <-time.After(time.Minute):
			t.Fatal("no progress")
		}
		if r.Info().Step >= 2 {
			if err := r.Send(lab.Stop("test")); err != nil {
				t.Fatal(err)
			}
			stopped = true
		}
	}
	if info := mtWait(t, r); info.Status != lab.StatusStopped {
		t.Fatalf("run ended %s, want stopped", info.Status)
	}
	resumed, err := l.Resume(context.Background(), r.ID())
	if err != nil {
		t.Fatal(err)
	}
	info := mtWait(t, resumed)
	if info.Status != lab.StatusFinished {
		t.Fatalf("resumed run ended %s: %s", info.Status, info.Reason)
	}
	if n, ok := info.Results["trainings_run"].(int64); !ok || n >= 15 {
		t.Errorf("the resumed run trained %v jobs; the first part's results should have been kept", info.Results["trainings_run"])
	}
	got, _ := os.ReadFile(filepath.Join(r.Dir(), "multitask_cells.csv"))
	c2 := multitaskConfig(t, func(m *config.MultitaskConfig) { m.Epochs, m.Seeds, m.Workers = 60, 3, 2 })
	ref := startMultitask(t, newMultitaskLab(t, c2), c2)
	mtWait(t, ref)
	want, _ := os.ReadFile(filepath.Join(ref.Dir(), "multitask_cells.csv"))
	if !bytes.Equal(got, want) || len(want) == 0 {
		t.Errorf("stopped-and-resumed table differs from an uninterrupted one:\n%s\nvs\n%s", got, want)
	}
}

// TestMultitaskTheoryMode runs the theory mode on a tiny budget and checks its outputs.
func TestMultitaskTheoryMode(t *testing.T) {
	t.Parallel()
	c := multitaskConfig(t, func(m *config.MultitaskConfig) {
		m.Mode, m.Rank, m.Classes, m.TheoryWidth, m.TheoryD, m.TheoryAlpha, m.TheoryEvery = "theory", 2, 3, 4, "40", 1, 0.5
		m.TheorySamples, m.TheorySeeds, m.TheorySA, m.TheorySB = 2000, 2, "1", "1,2"
	})
	r := startMultitask(t, newMultitaskLab(t, c), c)
	info := mtWait(t, r)
	if info.Status != lab.StatusFinished {
		t.Fatalf("run ended %s: %s", info.Status, info.Reason)
	}
	if _, ok := info.Results["max |theory-sim|/sem multitask r=1 d=40"]; !ok {
		t.Errorf("results lack the theory–simulation deviation: %v", info.Results)
	}
	for _, f := range []string{"online_theory.png", "online_curves.csv"} {
		if _, err := os.Stat(filepath.Join(r.Dir(), f)); err != nil {
			t.Error(err)
		}
	}
	series := map[string]bool{}
	for _, p := range mtPoints(r) {
		series[p.Series] = true
	}
	for _, s := range []string{"theory", "simulation d=40", "theory r=1", "simulation r=1 d=40"} {
		if !series[s] {
			t.Errorf("no points of series %q (have %v)", s, series)
		}
	}
}

func TestMultitaskRejectsBadSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*config.MultitaskConfig)
		want string
	}{
		{"rank above d/2", func(m *config.MultitaskConfig) { m.Rank = 7 }, "rank must be ≤ d/2"},
		{"bad list", func(m *config.MultitaskConfig) { m.R = "0,2" }, "multitask.r"},
		{"bad shard", func(m *config.MultitaskConfig) { m.Shard = "3/2" }, "write it i/N"},
		{"n_aux below n_train", func(m *config.MultitaskConfig) { m.NAux = "16" }, "n_aux must be ≥ n_train"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := multitaskConfig(t, tc.edit)
			info := mtWait(t, startMultitask(t, newMultitaskLab(t, c), c))
			if info.Status != lab.StatusFailed || !strings.Contains(info.Reason, tc.want) {
				t.Errorf("run ended %s: %q; want failed saying %q", info.Status, info.Reason, tc.want)
			}
		})
	}
}
