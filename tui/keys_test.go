package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

func TestCheckKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec string
		err  string // "" when valid; else a part of the message
	}{
		{"", ""},
		{"  ", ""},
		{"pause=p,stop=x,zoom=z", ""},
		{"pause=space, smooth=S ,", ""},
		{"pause=p space", ""},
		{"lr_up==", ""},
		{"quit=ctrl+q Q", ""},
		{"next=f5,prev=shift+f5", ""},
		{"paus=p", `tui.keys: "paus=p": unknown action: did you mean pause?`},
		{"frobnicate=p", "unknown action; the actions are up, down, pause"},
		{"pause", `"pause": want action=key, such as pause=p`},
		{"pause=", "no key given for pause"},
		{"pause=s", `tui.keys: "s": bound to both pause and smooth: remap one of them too`},
		{"pause=p,pause=q", "pause is remapped twice"},
		{"pause=esc", `key "esc" closes overlays and cannot be bound`},
		{"pause=spacebar", `key "spacebar" is not a key`},
		{"pause=ctrl+", `key "ctrl+" is not a key`},
	} {
		err := CheckKeys(tc.spec)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("CheckKeys(%q) = %v, want nil", tc.spec, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckKeys(%q) = %v, want an error with %q", tc.spec, err, tc.err)
		}
		var ke *KeysError
		if err != nil && !errors.As(err, &ke) {
			t.Errorf("CheckKeys(%q): %v is not a *KeysError", tc.spec, err)
		}
	}
	// Every item's problem is reported.
	if err := CheckKeys("paus=p,stop=,help"); err == nil || strings.Count(err.Error(), "tui.keys:") != 3 {
		t.Errorf("three bad items: err = %v, want three problems", err)
	}
}

// TestKeyActionsInConfigHelp keeps the action names listed in the tui.keys help in step with the key map.
func TestKeyActionsInConfigHelp(t *testing.T) {
	t.Parallel()
	p, ok := config.Lookup("tui.keys")
	if !ok {
		t.Fatal("no tui.keys setting")
	}
	var names []string
	for _, a := range (&keyMap{}).actions() {
		names = append(names, a.name)
	}
	if want := "(actions: " + strings.Join(names, ", ") + ")"; !strings.Contains(p.Help, want) {
		t.Errorf("tui.keys help %q lacks %q", p.Help, want)
	}
}

func TestRemappedKeys(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{Keys: "pause=space,smooth=S,zoom=Z v"}, 120, 40)
	press(m, "p") // no longer pause
	if m.notice.text != "" {
		t.Errorf("p still acts: %q", m.notice.text)
	}
	press(m, "?")
	got := plain(m)
	for _, want := range []string{"space pause/resume", "S smoothing", "Z/v  zoom pane"} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q:\n%s", want, got)
		}
	}
	press(m, "esc")
	press(m, "v")
	if !m.zoom {
		t.Error("v did not zoom")
	}
	press(m, "space")
	waitFor(t, func() bool { return f.runA.Info().Status == lab.StatusPaused }, "space to pause the run")

	bad := f.model(t, Params{Keys: "pause=s"}, 120, 40)
	if got := plain(bad); !strings.Contains(got, `tui.keys: "s": bound to both pause and smooth`) || !strings.Contains(got, "using the default keys") {
		t.Errorf("an invalid remap is not reported:\n%s", got)
	}
	press(bad, "s")
	if bad.smooth {
		t.Error("with an invalid remap the default s does not toggle smoothing")
	}
}
