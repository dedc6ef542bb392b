package chartexport

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/logitlab/logitlab/lab"
)

// TestExportAll writes every chart of the fake Panes run and checks the file names, that each PNG
// decodes and each CSV equals WriteCSV's output, and that nothing else (no temp file) is left.
func TestExportAll(t *testing.T) {
	t.Parallel()
	c := panesCharts()
	dir := filepath.Join(t.TempDir(), "exports")
	files, err := c.ExportAll(dir, Options{HistStep: 12345}) // ignored: every histogram at its latest step
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f.PNG), filepath.Base(f.CSV))
		b, err := os.ReadFile(f.PNG)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", f.PNG, err)
		}
		var want bytes.Buffer
		if err := c.WriteCSV(&want, f.Key, Options{}); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(f.CSV); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s differs from WriteCSV(%q)", f.CSV, f.Key)
		}
	}
	want := []string{"loss.png", "loss.csv", "acc.png", "acc.csv", "hist-max_logit.png", "hist-max_logit.csv",
		"points-robust_accuracy_vs_eps.png", "points-robust_accuracy_vs_eps.csv", "table-robustness.png",
		"table-robustness.csv", "images-disagreements.png", "images-disagreements.csv"}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want) {
		t.Errorf("%d entries in the export folder, want %d", len(entries), len(want))
	}
}

// TestExportErrors checks that a bad key writes nothing, and that a gallery too large to draw does
// not stop ExportAll from writing the other charts.
func TestExportErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := FromEvents(events(
		lab.Images{Name: "huge", C: 1, H: maxSide + 1, W: 1, Items: []lab.ImageItem{{}}},
		lab.Bars{Chart: "b", Groups: []string{"g"}, Series: []lab.BarSeries{{Label: "s", Values: []float64{1}}}},
	))
	if _, err := c.Export(dir, "nope", Options{}); !errors.Is(err, ErrNoChart) {
		t.Errorf("Export(nope) = %v, want ErrNoChart", err)
	}
	files, err := c.ExportAll(dir, Options{})
	if !errors.Is(err, errGalleryTooLarge) {
		t.Errorf("ExportAll error %v, want errGalleryTooLarge", err)
	}
	if len(files) != 3 { // loss, acc, bars
		t.Errorf("%d charts exported, want 3", len(files))
	}
	if _, err := os.Stat(filepath.Join(dir, "images-huge.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("images-huge.png: %v, want it absent", err)
	}
}
