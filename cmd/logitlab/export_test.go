package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

// panesRun writes a finished run of the fake Panes experiment (one chart of every kind) to a fresh
// runs directory and returns the directory.
func panesRun(t *testing.T, id string) string {
	t.Helper()
	dir := t.TempDir()
	l, err := lab.New(lab.Params{RunsDir: dir, Experiments: []lab.Experiment{labtest.Panes{}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Start(context.Background(), lab.Spec{Experiment: "panes", ID: id, Config: config.Default()})
	if err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	l.Wait()
	return dir
}

// TestExportCharts runs `logitlab export` on a run directory: the chart list, one chart to given
// files or stdout, every chart, the metrics CSV as before, and the errors, each with its exit code
// and a message that names the run and what to do.
func TestExportCharts(t *testing.T) {
	const id = "panes-1"
	runs := panesRun(t, id)
	runDir := filepath.Join(runs, id)
	out := t.TempDir()
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     []string // substrings
		stderr     []string
		files      []string // written, relative to the run directory (or absolute)
		csvHeader  string   // first line of the first CSV in files (or of stdout)
		firstField string   // the first field of the CSV's second line
	}{
		{name: "list", args: []string{"export", id, "--list"},
			stdout: []string{"loss", "acc", "hist:max_logit", "points:robust accuracy vs eps", "table:robustness",
				"images:disagreements", "points-robust_accuracy_vs_eps", "2 steps (100…200)", "--chart KEY"}},
		{name: "help lists the run's charts", args: []string{"export", id, "--help"},
			stderr: []string{"--chart", "Charts of panes-1", "hist:max_logit", "images:disagreements"}},
		{name: "one chart by default into exports/", args: []string{"export", id, "--chart", "hist:max_logit"},
			files: []string{"exports/hist-max_logit.csv", "exports/hist-max_logit.png"}, csvHeader: "step,bin_lo,bin_hi,standard,robust", firstField: "200"},
		{name: "one chart at a step to named files", args: []string{"export", id, "--chart", "hist:max_logit", "--step", "100",
			"--png", filepath.Join(out, "h.png"), "--csv", filepath.Join(out, "h.csv"), "--width", "400", "--height", "300"},
			files: []string{filepath.Join(out, "h.csv"), filepath.Join(out, "h.png")}, csvHeader: "step,bin_lo,bin_hi,standard,robust", firstField: "100"},
		{name: "chart CSV to stdout", args: []string{"export", id, "--chart", "loss", "--csv", "-"},
			stdout: []string{"step,loss,robust/loss,standard/loss\n1,"}},
		{name: "all", args: []string{"export", id, "--all", "--dir", filepath.Join(out, "all"), "--log-y"},
			files: []string{filepath.Join(out, "all", "table-robustness.csv"),
				filepath.Join(out, "all", "loss.png"), filepath.Join(out, "all", "acc.png"), filepath.Join(out, "all", "hist-max_logit.png"),
				filepath.Join(out, "all", "points-robust_accuracy_vs_eps.png"), filepath.Join(out, "all", "images-disagreements.png")},
			csvHeader: "model,clean acc,PGD-40 acc,max logit", firstField: "standard"},
		{name: "metrics CSV as before", args: []string{"export", id, "--csv"},
			files: []string{"metrics.csv"}, csvHeader: "step,epoch,loss,lr,samples_per_sec,train_loss,test_loss,test_acc", firstField: "1"},
		{name: "metrics CSV to a file", args: []string{"export", id, "--csv", filepath.Join(out, "m.csv")},
			files: []string{filepath.Join(out, "m.csv")}, csvHeader: "step,epoch,loss,lr,samples_per_sec,train_loss,test_loss,test_acc", firstField: "1"},
		{name: "unknown chart", args: []string{"export", id, "--chart", "hist:nope"}, code: exitUsage,
			stderr: []string{`export panes-1: no chart "hist:nope"`, "this run has: loss, acc, hist:max_logit", "logitlab export panes-1 --list"}},
		{name: "unknown step", args: []string{"export", id, "--chart", "hist:max_logit", "--step", "150"}, code: exitUsage,
			stderr: []string{"panes-1", "no histogram at step 150", "its steps: 100, 200"}},
		{name: "unknown run", args: []string{"export", "nope", "--list"}, code: exitFailed,
			stderr: []string{`no run "nope"`, "logitlab runs"}},
		{name: "png without chart", args: []string{"export", id, "--png", "x.png"}, code: exitUsage,
			stderr: []string{"--png needs --chart KEY", "logitlab export panes-1 --list"}},
		{name: "nothing asked", args: []string{"export", id}, code: exitUsage, stderr: []string{"say what to write", "--all"}},
		{name: "two modes", args: []string{"export", id, "--all", "--chart", "loss"}, code: exitUsage, stderr: []string{"one at a time"}},
		{name: "no such folder", args: []string{"export", id, "--chart", "acc", "--png", filepath.Join(out, "missing", "a.png")}, code: exitFailed,
			stderr: []string{"export panes-1: write", "does its folder exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append(tc.args, "--runs-dir", runs)
			if code := run(args, strings.NewReader(""), &stdout, &stderr); code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			firstCSV := ""
			for _, f := range tc.files {
				if !filepath.IsAbs(f) {
					f = filepath.Join(runDir, f)
				}
				b, err := os.ReadFile(f)
				if err != nil {
					t.Errorf("%s: %v", f, err)
					continue
				}
				if !strings.Contains(stdout.String(), f) {
					t.Errorf("stdout does not name %s", f)
				}
				switch filepath.Ext(f) {
				case ".png":
					if _, err := png.Decode(bytes.NewReader(b)); err != nil {
						t.Errorf("%s: %v", f, err)
					}
				case ".csv":
					if firstCSV == "" {
						firstCSV = string(b)
					}
				}
			}
			if tc.csvHeader != "" {
				lines := strings.SplitN(firstCSV, "\n", 3)
				if len(lines) < 2 || lines[0] != tc.csvHeader || !strings.HasPrefix(lines[1], tc.firstField+",") {
					t.Errorf("CSV starts %q, want header %q and a row starting %q", lines, tc.csvHeader, tc.firstField)
				}
			}
		})
	}
	entries, err := os.ReadDir(filepath.Join(out, "all"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 12 { // 6 charts × (png, csv)
		t.Errorf("--all wrote %d files, want 12", len(entries))
	}
}

func TestJoinOptionalPaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"--csv", "--csv"},
		{"--csv --out f", "--csv --out f"},
		{"--csv f.csv --png p", "--csv=f.csv --png p"},
		{"-csv -", "-csv=-"},
		{"--chart loss --csv", "--chart loss --csv"},
	} {
		if got := strings.Join(joinOptionalPaths(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("joinOptionalPaths(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
