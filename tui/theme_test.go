package tui

import (
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/config"
)

// TestASCIITheme checks that the ascii theme (chosen, or forced by NO_COLOR) draws every screen
// with no escape sequence and no byte outside ASCII, and that the coloured themes do use colour.
func TestASCIITheme(t *testing.T) {
	f := newFixture(t)
	screens := map[string][]string{
		"runs":     nil,
		"help":     {"?"},
		"steer":    {"e"},
		"launcher": {"n", "enter", "down"},
		"confirm":  {"x"},
		"failed":   {"down"},
	}
	for _, tc := range []struct {
		name     string
		p        Params
		wantANSI bool
	}{
		{"ascii", Params{Theme: ThemeASCII}, false},
		{"NO_COLOR over dark", Params{Theme: ThemeDark, NoColor: true}, false},
		{"NO_COLOR over light", Params{Theme: ThemeLight, NoColor: true}, false},
		{"dark", Params{}, true},
		{"light", Params{Theme: ThemeLight}, true},
	} {
		for screen, keys := range screens {
			for _, sz := range [][2]int{{80, 24}, {160, 48}} {
				p := tc.p
				p.Start = noStart
				m := f.model(t, p, sz[0], sz[1])
				for _, k := range keys {
					press(m, k)
				}
				frame := m.View().Content
				hasESC := strings.Contains(frame, "\x1b")
				if hasESC != tc.wantANSI {
					t.Errorf("%s, %s at %dx%d: escape sequences present = %v, want %v", tc.name, screen, sz[0], sz[1], hasESC, tc.wantANSI)
				}
				if tc.wantANSI {
					continue
				}
				for i := 0; i < len(frame); i++ {
					if frame[i] >= 0x80 {
						t.Errorf("%s, %s at %dx%d: non-ASCII byte %#x in\n%s", tc.name, screen, sz[0], sz[1], frame[i], frame)
						break
					}
				}
				checkSize(t, frame, sz[0], sz[1])
			}
		}
	}
}

func TestASCIIThemeGolden(t *testing.T) {
	f := newFixture(t)
	m := f.model(t, Params{Theme: ThemeASCII, Header: header}, 80, 24)
	checkGolden(t, "view_ascii_running_80x24", m.View().Content)
}

func TestAsciify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"╭─ a ─╮", "+- a -+"},
		{"│▸● x…│", "|>* x~|"},
		{"⠁⠄⠅⠀⣿⣀⠉", "'.: :.'"},
		{"▁▄█▀", ".:#\""},
		{"μ 0.5 · ε 0.3 ✓ ✗ ‖ ■", "u 0.5 . e 0.3 v x = #"},
		{"漢z", "??z"},
	} {
		if got := asciify(tc.in); got != tc.want {
			t.Errorf("asciify(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestThemeName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		noColor bool
		want    string
	}{
		{"", false, ThemeDark}, {"dark", false, ThemeDark}, {"light", false, ThemeLight},
		{"ascii", false, ThemeASCII}, {"light", true, ThemeASCII}, {"", true, ThemeASCII},
		{"neon", false, ThemeDark},
	} {
		if got := themeName(tc.name, tc.noColor); got != tc.want {
			t.Errorf("themeName(%q, %v) = %q, want %q", tc.name, tc.noColor, got, tc.want)
		}
	}
	// The config's choices are exactly the themes.
	p, _ := config.Lookup("tui.theme")
	if strings.Join(p.Choices, ",") != "dark,light,ascii" {
		t.Errorf("tui.theme choices %v", p.Choices)
	}
}

func TestSnapshot(t *testing.T) {
	f := newFixture(t)
	out, err := Snapshot(Params{Lab: f.lab, Header: header, Start: noStart}, "mnist-c", 100, 30)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "\x1b") {
		t.Error("the snapshot holds escape sequences")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 30 {
		t.Errorf("%d lines, want 30", len(lines))
	}
	for i, l := range lines {
		if w := len([]rune(l)); w > 100 || strings.HasSuffix(l, " ") {
			t.Errorf("line %d is %d cells or ends in a blank: %q", i+1, w, l)
		}
	}
	if !strings.Contains(out, "finished · mnist-c") {
		t.Errorf("the snapshot does not show mnist-c:\n%s", out)
	}
	ascii, err := Snapshot(Params{Lab: f.lab, NoColor: true}, "", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ascii, "running . mnist-a") {
		t.Errorf("the newest run is not shown by default:\n%s", ascii)
	}
	for i := 0; i < len(ascii); i++ {
		if ascii[i] >= 0x80 {
			t.Fatalf("NO_COLOR snapshot has a non-ASCII byte:\n%s", ascii)
		}
	}
	if _, err := Snapshot(Params{Lab: f.lab}, "nope", 80, 24); err == nil || !strings.Contains(err.Error(), `no run "nope"`) {
		t.Errorf("unknown run: err = %v", err)
	}
}
