package tui

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportKey presses E on each pane of the fake Panes run and checks that the pane's PNG and
// CSV land in the run's exports/ folder and that the notice line names them; the histogram is
// exported at the epoch on screen. A read-only session is refused and writes nothing.
func TestExportKey(t *testing.T) {
	f := panesFixture(t)
	m := f.model(t, Params{}, 120, 40)
	r, _ := f.lab.Run("panes-a")
	exports := filepath.Join(r.Dir(), "exports")
	files := map[string]string{"loss": "loss", "acc": "acc", "hist:max_logit": "hist-max_logit",
		"points:robust accuracy vs eps": "points-robust_accuracy_vs_eps", "table:robustness": "table-robustness",
		"images:disagreements": "images-disagreements"}
	for i, key := range fixturePanes {
		if i > 0 {
			press(m, "tab")
		}
		if key == "hist:max_logit" {
			press(m, "[") // the older of its two epochs: step 100
		}
		press(m, "E")
		if m.notice.level != levelInfo || !strings.Contains(m.notice.text, "exported "+key) {
			t.Errorf("%s: notice %q, want it to say what was exported", key, m.notice.text)
		}
		pngPath := filepath.Join(exports, files[key]+".png")
		if !strings.Contains(m.notice.text, pngPath) {
			t.Errorf("%s: notice %q does not name %s", key, m.notice.text, pngPath)
		}
		b, err := os.ReadFile(pngPath)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", pngPath, err)
		}
		if _, err := os.Stat(filepath.Join(exports, files[key]+".csv")); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
	csv, err := os.ReadFile(filepath.Join(exports, "hist-max_logit.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(string(csv), "\n"); len(lines) < 2 || !strings.HasPrefix(lines[1], "100,") {
		t.Errorf("histogram CSV starts %q, want the epoch on screen (step 100)", lines[:min(2, len(lines))])
	}

	ro := f.model(t, Params{ReadOnly: true}, 120, 40)
	if err := os.RemoveAll(exports); err != nil {
		t.Fatal(err)
	}
	press(ro, "E")
	if !strings.Contains(ro.notice.text, "read-only session: export refused") {
		t.Errorf("read-only notice %q", ro.notice.text)
	}
	if _, err := os.Stat(exports); !os.IsNotExist(err) {
		t.Errorf("a read-only session wrote %s", exports)
	}
}
