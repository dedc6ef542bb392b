package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/logitlab/logitlab/internal/blas"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/lab/experiments"
)

// errHelp is returned after --help was printed.
var errHelp = flag.ErrHelp

// app holds what every subcommand shares.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	blas           blas.Info
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) (*app, bool, error) {
	reexec, err := blas.EnsureCore(os.Args)
	if reexec || err != nil {
		return nil, reexec, err
	}
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, blas: blas.Init()}, false, nil
}

func (a *app) blasLine() string {
	s := a.blas.Impl
	if a.blas.Core != "" {
		s += " (" + a.blas.Core + ")"
	}
	if a.blas.Note != "" {
		s += "; " + a.blas.Note
	}
	return s
}

func (a *app) experiments() []lab.Experiment {
	return []lab.Experiment{experiments.Train{BLAS: a.blasLine()}, experiments.Multitask{}, experiments.Logits{BLAS: a.blasLine()}, experiments.Distill{BLAS: a.blasLine()}, experiments.Audio{}}
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `logitlab — a terminal lab: train small models, attack them, watch what they learn.

Usage:
  logitlab [--config FILE] [flags]           the terminal UI; starts a train run on the built-in data
                                             (n: the launcher for every experiment, e: steer live settings)
  logitlab --once [RUN] [--width N]           print one plain-text frame of a run (default: the newest)
  logitlab run EXPERIMENT [flags]             start a run (the UI, or progress lines with --headless)
  logitlab run --resume RUN [--headless]      continue a stopped, cancelled or killed run from its last checkpoint
  logitlab runs [--runs-dir DIR]              list runs with status and headline numbers
  logitlab export RUN --csv [--out FILE]      write a run's metrics as CSV
  logitlab export RUN --chart KEY | --all     charts as PNG and CSV (--list: the run's chart keys)
  logitlab bench [--against-torch] [--json]   training throughput, beside PyTorch's on the same shapes
  logitlab serve [--ssh ADDR] [--start]       serve the lab over SSH: every session a view of the same runs
  logitlab demo                               a two-minute captioned tour: adversarial training, logits, distillation
  logitlab sweep --emit slurm|k8s | merge DIR  run the multitask grid as a cluster job array, merge its shards
  logitlab help                               this text

Experiments:
`)
	for _, e := range a.experiments() {
		fmt.Fprintf(w, "  %-10s %s\n", e.Name(), e.Summary())
	}
	fmt.Fprintf(w, `
Settings come from config.toml (every setting, its default and range are documented there; the
file in the current directory is read when present, or --config FILE), then from flags, which win.
Each experiment's flags are listed by: logitlab run EXPERIMENT --help

BLAS: %s
`, a.blasLine())
}

// loadConfig reads the config file (explicit, or ./config.toml when present) over the defaults.
func loadConfig(path string) (config.Config, error) {
	if path == "" {
		if _, err := os.Stat("config.toml"); err != nil {
			return config.Default(), nil
		}
		path = "config.toml"
	}
	return config.Load(path)
}

// settingFlags registers one flag per setting of the given sections (train.lr → --lr, lab.runs_dir →
// --runs-dir) plus --set section.key=value for anything else. Overrides are collected and applied
// after the config file is read, so flags always win.
type settingFlags struct {
	overrides [][2]string
}

func (sf *settingFlags) register(fs *flag.FlagSet, sections ...string) {
	for _, p := range config.Params() {
		if !slices.Contains(sections, p.Section) {
			continue
		}
		key := p.Section + "." + p.Key
		name := strings.ReplaceAll(p.Key, "_", "-")
		if p.Section == "lab" || p.Section == "tui" {
			name = strings.ReplaceAll(key, "_", "-")
			name = strings.ReplaceAll(name, ".", "-")
			if p.Section == "lab" {
				name = strings.TrimPrefix(name, "lab-")
			}
		}
		help := fmt.Sprintf("%s (%s; default %s)", p.Help, p.Allowed(), defaultString(p))
		set := func(v string) error { sf.overrides = append(sf.overrides, [2]string{key, v}); return nil }
		if p.Kind == config.KindBool {
			fs.BoolFunc(name, help, set)
		} else {
			fs.Func(name, help, set)
		}
		if p.Flag != "" {
			fs.Func(p.Flag, "the same as --"+name, set)
		}
	}
	fs.Func("set", "any setting as section.key=value (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("--set %q: want section.key=value", v)
		}
		sf.overrides = append(sf.overrides, [2]string{k, val})
		return nil
	})
}

func (sf *settingFlags) apply(c *config.Config) error {
	for _, o := range sf.overrides {
		if err := c.Set(o[0], o[1]); err != nil {
			return &usageError{err.Error()}
		}
	}
	return c.Validate()
}

// newFlagSet makes a flag set that prints its usage to stderr and returns errors instead of exiting.
func (a *app) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and turns a flag error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return &usageError{err.Error()}
	}
	return nil
}

// newLab makes the lab over the configured runs directory.
func (a *app) newLab(cfg config.Config) (*lab.Lab, error) {
	return lab.New(lab.Params{RunsDir: cfg.Lab.RunsDir, Experiments: a.experiments(), FlushEvery: cfg.Lab.FlushEvery})
}

// runEndedError reports a run that did not finish.
type runEndedError struct {
	id, status, reason string
}

func (e *runEndedError) Error() string {
	return fmt.Sprintf("run %s %s: %s", e.id, e.status, e.reason)
}

func endError(r *lab.Run) error {
	info := r.Info()
	if info.Status == lab.StatusFinished {
		return nil
	}
	return &runEndedError{id: info.ID, status: string(info.Status), reason: info.Reason}
}

// defaultString formats a setting's default as a user would type it.
func defaultString(p config.Param) string {
	if s, ok := p.Default.(string); ok {
		if s == "" {
			return `""`
		}
		return s
	}
	return fmt.Sprint(p.Default)
}
