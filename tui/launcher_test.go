package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

// launchExperiments is a fixed launcher list for golden files.
func launchExperiments() []Experiment {
	return []Experiment{
		{Name: "train", Summary: "train one classifier (MLP or CNN) on MNIST, Fashion-MNIST or CIFAR-10", Sections: []string{"train"}},
		{Name: "logits", Summary: "paper 1: standard vs adversarial training, logit statistics", Sections: []string{"logits"}},
		{Name: "audio", Summary: "paper 3: label-efficient multitask and self-supervised audio", Sections: []string{"audio"}},
	}
}

// TestLauncherStartsRunAndSteersLR drives the whole flow with key presses: the launcher opens at
// start (no runs yet), a value out of range is refused with the parser's reason, enums cycle, bools
// toggle, enter on "start" starts a real (fake-experiment) run with the edited settings, and the
// steering form changes its learning rate: pending first, then the value the run applied, with the
// change in the log. A value the run itself refuses is shown as refused.
func TestLauncherStartsRunAndSteersLR(t *testing.T) {
	dir := t.TempDir()
	counter := labtest.Counter{Steps: 1 << 40, Delay: time.Millisecond}
	l, err := lab.New(lab.Params{RunsDir: dir, Experiments: []lab.Experiment{counter}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); l.Wait() })
	start := func(_ context.Context, exp string, cfg config.Config) (*lab.Run, error) {
		return l.Start(ctx, lab.Spec{Experiment: exp, Config: cfg, ID: "counter-1"})
	}
	m := newModel(ctx, Params{Lab: l, Start: start,
		Experiments: []Experiment{{Name: "counter", Summary: "a fake experiment", Sections: []string{"train"}}}})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if !m.launching {
		t.Fatalf("with no runs the model does not start in the launcher:\n%s", plain(m))
	}
	press(m, "enter") // into the form
	for range 5 {     // start, data, data_dir, full_data, model → epochs
		press(m, "down")
	}
	press(m, "enter")
	press(m, "ctrl+u")
	typeText(m, "0")
	press(m, "enter")
	if got := plain(m); !strings.Contains(got, "refused: train.epochs = 0: must be between 1 and 1000") {
		t.Fatalf("epochs 0 was not refused with the parser's reason:\n%s", got)
	}
	press(m, "backspace")
	typeText(m, "3")
	press(m, "enter")
	if got := plain(m); !strings.Contains(got, "train.epochs = 3") || m.launch.edit != nil {
		t.Fatalf("epochs 3 was not accepted:\n%s", got)
	}
	press(m, "up") // model: enum
	press(m, "right")
	if m.launch.cfg.Train.Model != "cnn" {
		t.Errorf("→ on model gives %q, want cnn", m.launch.cfg.Train.Model)
	}
	press(m, "right")
	if m.launch.cfg.Train.Model != "mlp" {
		t.Errorf("→ again gives %q, want mlp (wrapping)", m.launch.cfg.Train.Model)
	}
	press(m, "up") // full_data: bool
	press(m, "space")
	if !m.launch.cfg.Train.FullData {
		t.Error("space did not toggle full_data")
	}
	press(m, "left")
	if m.launch.cfg.Train.FullData {
		t.Error("← did not toggle full_data back")
	}
	press(m, "home")
	cmd := press(m, "enter")
	if cmd == nil {
		t.Fatal("enter on start returned no command")
	}
	m.Update(cmd())
	if m.launching || m.selected != "counter-1" {
		t.Fatalf("after start: launcher open %v, selected %q\n%s", m.launching, m.selected, plain(m))
	}
	r, _ := l.Run("counter-1")
	if c, err := config.Load(filepath.Join(r.Dir(), "config.toml")); err != nil || c.Train.Epochs != 3 {
		t.Fatalf("the run's config: epochs %d, err %v; want 3", c.Train.Epochs, err)
	}
	waitFor(t, func() bool { _, ok := r.Info().Settings["lr"]; return ok }, "the first step")
	m.Update(labChangedMsg{})

	press(m, "e")
	if m.steer == nil || len(m.steer.params) != 1 || m.steer.params[0].Key != "lr" {
		t.Fatalf("e did not open steering with the live setting lr:\n%s", plain(m))
	}
	for _, tc := range []struct {
		typed   string
		refused string  // the form's reason, or "" when it is sent
		applied float64 // what the run applies (0: the run refuses it)
		shown   string
	}{
		{"-1", "refused: train.lr = -1: must be greater than 0 and at most 1e+06", 0, ""},
		{"0.5", "", 0.5, "lr is now 0.5 (the run applied it at step"},
		{"20", "", 0, "the run refused lr = 20: lr 20 out of range (0, 10]"},
	} {
		press(m, "enter")
		press(m, "ctrl+u")
		typeText(m, tc.typed)
		press(m, "enter")
		got := plain(m)
		if tc.refused != "" {
			if !strings.Contains(got, tc.refused) {
				t.Fatalf("%s: the form did not refuse it:\n%s", tc.typed, got)
			}
			press(m, "esc")
			continue
		}
		if !strings.Contains(got, tc.typed+" (pending)") {
			t.Fatalf("%s: not shown as pending:\n%s", tc.typed, got)
		}
		waitFor(t, func() bool {
			m.Update(labChangedMsg{})
			return len(m.pending["counter-1"]) == 0
		}, "the run to answer "+tc.typed)
		got = plain(m)
		if !strings.Contains(got, tc.shown) {
			t.Fatalf("%s: the view lacks %q:\n%s", tc.typed, tc.shown, got)
		}
		if strings.Contains(got, "(pending)") {
			t.Errorf("%s: still pending after the answer:\n%s", tc.typed, got)
		}
	}
	if lr := r.Info().Settings["lr"]; lr != 0.5 {
		t.Errorf("the run's lr is %g, want 0.5", lr)
	}
	got := plain(m)
	for _, want := range []string{"lr = 0.5 by tui", "refused for tui: lr 20 out of range"} {
		if !strings.Contains(got, want) {
			t.Errorf("the change log lacks %q:\n%s", want, got)
		}
	}
	press(m, "esc")
	if m.steer != nil {
		t.Error("esc did not close the steering panel")
	}
}

func TestLauncherPresetsAndBack(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{Start: noStart, Experiments: launchExperiments()}, 80, 24)
	if m.launching {
		t.Fatal("the launcher opened although there are runs")
	}
	press(m, "n")
	press(m, "down") // logits
	press(m, "1")
	c := m.launch.cfg.Logits
	if c.Epochs != 1 || c.Seeds != 1 || c.TrainSamples != 5000 {
		t.Errorf("quick demo preset: epochs %d seeds %d train_samples %d", c.Epochs, c.Seeds, c.TrainSamples)
	}
	if !strings.Contains(plain(m), "preset quick demo") {
		t.Errorf("no note of the preset:\n%s", plain(m))
	}
	press(m, "2")
	if c := m.launch.cfg.Logits; c.Preset != "madry-mnist" || c.Epochs != 5 {
		t.Errorf("paper-like preset: preset %q epochs %d", c.Preset, c.Epochs)
	}
	press(m, "enter")
	press(m, "down")
	press(m, "d") // preset back to its default
	if m.launch.cfg.Logits.Preset != "none" {
		t.Errorf("d left preset at %q", m.launch.cfg.Logits.Preset)
	}
	// A failing Start keeps the launcher open and says why.
	press(m, "home")
	m.Update(press(m, "enter")())
	if !m.launching || !strings.Contains(plain(m), "cannot start: not in tests") {
		t.Errorf("a failed start did not keep the launcher with the reason:\n%s", plain(m))
	}
	press(m, "esc") // form → list
	press(m, "esc") // list → runs
	if m.launching {
		t.Error("esc esc did not leave the launcher")
	}
	press(m, "n")
	if m.launch.exp != 1 {
		t.Error("the launcher forgot its state")
	}
	press(m, "q")
	if m.typing() {
		t.Error("q started typing")
	}
}

func TestLauncherGolden(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"list_80x24", 80, 24, nil},
		{"form_80x24", 80, 24, []string{"enter", "down", "down", "down", "down", "down"}},
		{"preset_160x48", 160, 48, []string{"down", "1", "enter", "down"}},
		{"refused_160x48", 160, 48, []string{"enter", "down", "down", "down", "down", "down", "enter", "ctrl+u", "1", "0", "0", "0", "0", "enter"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := f.model(t, Params{Start: noStart, Experiments: launchExperiments()}, tc.w, tc.h)
			press(m, "n")
			for _, k := range tc.keys {
				press(m, k)
			}
			got := plain(m)
			checkSize(t, got, tc.w, tc.h)
			checkGolden(t, "launcher_"+tc.name, got)
		})
	}
}

func TestSteerGolden(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"pending_80x24", 80, 24, nil},
		{"typing_160x48", 160, 48, []string{"enter", "ctrl+u", "0", ".", "0", "5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := f.model(t, Params{Start: noStart, User: "ssh:alice"}, tc.w, tc.h)
			m.tz = time.UTC
			s := m.state("mnist-a")
			s.changes = nil
			for i, c := range []string{"lr = 0.02 by ssh:alice", "paused by tui", "running by tui"} {
				s.changes = append(s.changes, change{at: at.Add(time.Duration(i) * 97 * time.Second), step: int64(120 + 60*i), text: c})
			}
			s.changes = append(s.changes, change{at: at.Add(5 * time.Minute), step: 300, text: "refused for tui: lr 0 is out of range", level: levelWarn})
			m.pending["mnist-a"] = []pendingSet{{name: "lr", value: 0.04}}
			press(m, "e")
			for _, k := range tc.keys {
				press(m, k)
			}
			got := plain(m)
			checkSize(t, got, tc.w, tc.h)
			checkGolden(t, "steer_"+tc.name, got)
		})
	}
}

// TestSteerWithoutLiveSettings opens steering on a run whose experiment has no config section.
func TestSteerWithoutLiveSettings(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{}, 80, 24)
	press(m, "down") // mnist-b, experiment "wild"
	press(m, "e")
	press(m, "enter")
	if got := plain(m); !strings.Contains(got, "the wild experiment has no live settings") {
		t.Errorf("no word about missing live settings:\n%s", got)
	}
	ro := f.model(t, Params{ReadOnly: true}, 80, 24)
	press(ro, "e")
	press(ro, "enter")
	if got := plain(ro); !strings.Contains(got, "read-only session: setting lr refused") {
		t.Errorf("a viewer could type a setting:\n%s", got)
	}
	if fmt.Sprint(ro.pending) != "map[]" {
		t.Errorf("a viewer has pending sets: %v", ro.pending)
	}
}
