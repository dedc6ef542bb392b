package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		err  string // "" when valid; else a part of the message
	}{
		{"", ""},
		{"  sweep  ", ""},
		{"lr=0.001", ""},
		{"lr=1e-3 sweep", ""},
		{"distill.alpha=1", ""},
		{"train.model=cnn", ""},
		{"lr=", "want key=value"},
		{"=3", "want key=value"},
		{"lrr=0.1", "no setting is called lrr: did you mean lr?"},
		{"frobnicate=1", "no setting is called frobnicate"},
		{"lr=fast", "must be a number"},
		{"train.model=resnet", "must be one of"},
	} {
		f, err := parseFilter(tc.text)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parseFilter(%q) = %v, want no error", tc.text, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseFilter(%q) = %v, want an error with %q", tc.text, err, tc.err)
		case tc.err == "" && (f == nil) != (strings.TrimSpace(tc.text) == ""):
			t.Errorf("parseFilter(%q) = %v: an empty text must be no filter, any other a filter", tc.text, f)
		}
		var fe *filterError
		if err != nil && !errors.As(err, &fe) {
			t.Errorf("parseFilter(%q): %v is not a *filterError", tc.text, err)
		}
	}
}

func TestFilterMatches(t *testing.T) {
	t.Parallel()
	train := config.Default()
	train.Train.LR, train.Distill.Alpha, train.Distill.LR = 0.003, 0.5, 0.01
	info := lab.RunInfo{ID: "Sweep-B", Experiment: "train"}
	for _, tc := range []struct {
		text     string
		c        *config.Config
		sections []string
		want     bool
	}{
		{"sweep", &train, nil, true}, // ids match ignoring case
		{"TRAIN", &train, nil, true}, // so do experiments
		{"sweep-c", &train, nil, false},
		{"lr=0.003", &train, []string{"train"}, true},
		{"lr=3e-3", &train, []string{"train"}, true},            // parsed as a number, not as text
		{"lr=0.0030000000001", &train, []string{"train"}, true}, // within the relative 1e-9
		{"lr=0.01", &train, []string{"train"}, false},           // distill.lr is 0.01, but this is a train run
		{"lr=0.01", &train, []string{"distill"}, true},
		{"lr=0.01", &train, nil, true}, // no section of its own: any section's lr
		{"distill.alpha=0.5", &train, []string{"train"}, true},
		{"distill.alpha=1", &train, []string{"train"}, false},
		{"sweep lr=0.003", &train, []string{"train"}, true},
		{"sweep lr=0.001", &train, []string{"train"}, false}, // every term must hold
		{"lr=0.003", nil, []string{"train"}, false},          // no readable config.toml
		{"sweep", nil, nil, true},
	} {
		f, err := parseFilter(tc.text)
		if err != nil {
			t.Fatalf("parseFilter(%q): %v", tc.text, err)
		}
		if got := f.matches(info, tc.c, tc.sections); got != tc.want {
			t.Errorf("filter %q on %s (sections %v, config %v): %v, want %v", tc.text, info.ID, tc.sections, tc.c != nil, got, tc.want)
		}
	}
}

// TestFilterLine drives the filter line with keys: a bad filter is refused with its reason and stays
// open, a good one applies and moves the selection onto a run it lets through, and an empty one
// clears it.
func TestFilterLine(t *testing.T) {
	f := compareFixture(t)
	m := f.model(t, Params{}, 120, 40)
	typeText(m, "/lr=x")
	if got := plain(m); !strings.Contains(got, `train.lr = "x": must be a number`) {
		t.Errorf("the filter line does not say why lr=x cannot be used:\n%s", got)
	}
	press(m, "enter")
	if m.cmp.edit == nil || m.cmp.filter != nil {
		t.Fatal("enter on a bad filter closed the line or applied it")
	}
	press(m, "ctrl+u")
	typeText(m, "distill.alpha=0.5")
	press(m, "q") // typed, not quit
	press(m, "backspace")
	press(m, "enter")
	if m.cmp.filter == nil || m.selected != "sweep-b" {
		t.Fatalf("filter distill.alpha=0.5: filter %v, selected %q; want sweep-b selected", m.cmp.filter, m.selected)
	}
	if got := plain(m); !strings.Contains(got, "runs · distill.alpha=0.5") || strings.Contains(got, "sweep-a") {
		t.Errorf("the run list does not show the filter or still lists sweep-a:\n%s", got)
	}
	press(m, "down") // the only run: the selection stays
	if m.selected != "sweep-b" {
		t.Errorf("down moved the selection to %q, outside the filter", m.selected)
	}
	press(m, "/")
	press(m, "ctrl+u")
	press(m, "enter")
	if m.cmp.filter != nil || !strings.Contains(m.notice.text, "filter cleared") {
		t.Errorf("an empty filter did not clear it: %v, notice %q", m.cmp.filter, m.notice.text)
	}
}
