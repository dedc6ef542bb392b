package chartexport

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/logitlab/logitlab/internal/fsutil"
)

// Files are the paths one chart was exported to.
type Files struct {
	Key string
	PNG string
	CSV string
}

// Export writes the chart with the given key into dir as <file>.png and <file>.csv (Chart.File),
// creating dir if needed. Each file is written atomically: a reader sees the old file or the new
// one, never a mix. It returns a *NoChartError or *NoStepError when the run has no such chart or
// step.
func (c *Charts) Export(dir, key string, o Options) (Files, error) {
	ch, err := c.Lookup(key)
	if err != nil {
		return Files{}, err
	}
	var pngBuf, csvBuf bytes.Buffer
	if err := c.WritePNG(&pngBuf, key, o); err != nil {
		return Files{}, err
	}
	if err := c.WriteCSV(&csvBuf, key, o); err != nil {
		return Files{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, fmt.Errorf("create export folder %q (is the run directory writable?): %w", dir, err)
	}
	f := Files{Key: key, PNG: filepath.Join(dir, ch.File+".png"), CSV: filepath.Join(dir, ch.File+".csv")}
	if err := fsutil.WriteFileAtomic(f.PNG, pngBuf.Bytes(), 0o644); err != nil {
		return Files{}, fmt.Errorf("write %s: %w", f.PNG, err)
	}
	if err := fsutil.WriteFileAtomic(f.CSV, csvBuf.Bytes(), 0o644); err != nil {
		return Files{}, fmt.Errorf("write %s: %w", f.CSV, err)
	}
	return f, nil
}

// ExportAll exports every chart of the run into dir (see Export), in List order, with each
// histogram at its latest step (o.HistStep is ignored). A chart that cannot be exported does not
// stop the others: it returns the charts written and the errors of the rest, joined.
func (c *Charts) ExportAll(dir string, o Options) ([]Files, error) {
	o.HistStep = 0
	var out []Files
	var errs []error
	for _, ch := range c.list {
		f, err := c.Export(dir, ch.Key, o)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Key, err))
			continue
		}
		out = append(out, f)
	}
	return out, errors.Join(errs...)
}
