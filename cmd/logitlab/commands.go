package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/progress"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/tui"
)

// experimentSections maps each experiment to the config sections its flags come from.
var experimentSections = map[string][]string{
	"train":     {"train"},
	"multitask": {"multitask"},
	"logits":    {"logits"},
	"distill":   {"distill"},
	"audio":     {"audio"},
}

// isTerminal reports whether w is a character device (a terminal), not a pipe or file.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// tuiCmd opens the terminal UI and starts a train run on the built-in data (unless --no-start).
// When stdout is not a terminal it runs that train run headless instead.
func (a *app) tuiCmd(ctx context.Context, args []string) error {
	fs := a.newFlagSet("logitlab", "logitlab [--config FILE] [--no-start] [train flags]  |  logitlab --once [RUN] [--width N] [--height N]")
	configPath := fs.String("config", "", "settings file (default: ./config.toml when present)")
	noStart := fs.Bool("no-start", false, "open the UI without starting a run (with no runs yet, the launcher)")
	once := fs.Bool("once", false, "print one plain-text frame of RUN (default: the newest run) and exit")
	width := fs.Int("width", 100, "--once: frame width in cells")
	height := fs.Int("height", 30, "--once: frame height in cells")
	var sf settingFlags
	sf.register(fs, "lab", "train", "tui")
	fs.Usage = func() {
		a.usage(a.stderr)
		fmt.Fprintln(a.stderr, "\nFlags of the UI (train settings apply to the run it starts):")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	onceRun := ""
	if *once && fs.NArg() > 0 { // --once RUN [flags]: the flags after the run id
		onceRun = fs.Arg(0)
		if err := parse(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; see logitlab --help", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if err := sf.apply(&cfg); err != nil {
		return err
	}
	if *once {
		return a.onceCmd(cfg, onceRun, *width, *height)
	}
	if err := checkKeys(cfg); err != nil {
		return err
	}
	if !isTerminal(a.stdout) {
		fmt.Fprintln(a.stderr, "logitlab: stdout is not a terminal: running headless (progress lines)")
		return a.startAndFollow(ctx, cfg, "train")
	}
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	for _, p := range l.LoadRuns() {
		fmt.Fprintln(a.stderr, "logitlab: warning:", p)
	}
	runCtx, cancelRuns := context.WithCancel(ctx)
	defer cancelRuns()
	start := startUnder(runCtx, l)
	if !*noStart {
		if _, err := start(ctx, "train", cfg); err != nil {
			return err
		}
	}
	err = tui.Run(ctx, a.tuiParams(l, cfg, start))
	cancelRuns()
	if running(l) > 0 {
		fmt.Fprintln(a.stderr, "logitlab: stopping runs (each saves a checkpoint; resume with logitlab run --resume ID) …")
	}
	l.Wait()
	return err
}

func running(l *lab.Lab) int {
	n := 0
	for _, r := range l.Runs() {
		if !r.Info().Status.Final() && r.Info().Status != lab.StatusInterrupted {
			n++
		}
	}
	return n
}

// runCmd starts (or resumes) one run and shows it: in the UI, or as progress lines when --headless or
// when stdout is not a terminal.
func (a *app) runCmd(ctx context.Context, args []string) error {
	exp := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		exp, args = args[0], args[1:]
	}
	sections, known := experimentSections[exp]
	if exp != "" && !known {
		return usagef("unknown experiment %q: choose one of %v", exp, slices.Sorted(maps.Keys(experimentSections)))
	}
	fs := a.newFlagSet("run", "logitlab run EXPERIMENT [flags]  |  logitlab run --resume RUN [--headless]")
	configPath := fs.String("config", "", "settings file (default: ./config.toml when present)")
	headless := fs.Bool("headless", false, "print progress lines instead of the UI (automatic when stdout is not a terminal)")
	out := fs.String("out", "", "runs directory (same as --runs-dir)")
	resume := fs.String("resume", "", "continue this run from its newest checkpoint")
	var sf settingFlags
	sf.register(fs, append([]string{"lab", "tui"}, sections...)...)
	if err := parse(fs, args); err != nil {
		if errors.Is(err, errHelp) && exp == "" {
			a.usage(a.stderr)
		}
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags go after the experiment name)", fs.Arg(0))
	}
	if exp == "" && *resume == "" {
		return usagef("run: name an experiment (%v) or --resume RUN", slices.Sorted(maps.Keys(experimentSections)))
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if *out != "" {
		sf.overrides = append(sf.overrides, [2]string{"lab.runs_dir", *out})
	}
	if err := sf.apply(&cfg); err != nil {
		return err
	}
	if *resume != "" {
		if exp != "" || len(sf.overrides) > 0 && *out == "" {
			return usagef("--resume continues a run with the settings it started with; drop the experiment name and setting flags")
		}
		return a.resumeAndFollow(ctx, cfg, *resume, *headless)
	}
	if *headless || !isTerminal(a.stdout) {
		return a.startAndFollow(ctx, cfg, exp)
	}
	if err := checkKeys(cfg); err != nil {
		return err
	}
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	r, err := l.Start(ctx, lab.Spec{Experiment: exp, Config: cfg})
	if err != nil {
		return err
	}
	return a.showInTUI(ctx, l, cfg, r)
}

func (a *app) showInTUI(ctx context.Context, l *lab.Lab, cfg config.Config, r *lab.Run) error {
	runCtx, cancelRuns := context.WithCancel(ctx) // runs started from the launcher
	defer cancelRuns()
	err := tui.Run(ctx, a.tuiParams(l, cfg, startUnder(runCtx, l)))
	_ = r.Send(lab.Stop("tui (quit)"))
	cancelRuns()
	l.Wait()
	if err != nil {
		return err
	}
	return endError(r)
}

// startAndFollow starts a run and prints its progress until it ends. Ctrl-C stops it after a
// checkpoint (exit code 130); the run can then be resumed.
func (a *app) startAndFollow(ctx context.Context, cfg config.Config, exp string) error {
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	r, err := l.Start(ctx, lab.Spec{Experiment: exp, Config: cfg})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: run directory %s\n", r.ID(), r.Dir())
	(&progress.Printer{Out: a.stdout}).Follow(context.Background(), l, r)
	l.Wait()
	return endError(r)
}

func (a *app) resumeAndFollow(ctx context.Context, cfg config.Config, id string, headless bool) error {
	if !headless && isTerminal(a.stdout) {
		if err := checkKeys(cfg); err != nil {
			return err
		}
	}
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	r, err := l.Resume(ctx, id)
	if err != nil {
		return err
	}
	if headless || !isTerminal(a.stdout) {
		(&progress.Printer{Out: a.stdout}).Follow(context.Background(), l, r)
		l.Wait()
		return endError(r)
	}
	runCfg, err := config.Load(filepath.Join(r.Dir(), "config.toml"))
	if err != nil {
		runCfg = cfg
	}
	return a.showInTUI(ctx, l, runCfg, r)
}

// runsCmd lists the runs on disk.
func (a *app) runsCmd(args []string) error {
	fs := a.newFlagSet("runs", "logitlab runs [--runs-dir DIR]")
	configPath := fs.String("config", "", "settings file (default: ./config.toml when present)")
	var sf settingFlags
	sf.register(fs, "lab")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if err := sf.apply(&cfg); err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Lab.RunsDir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(a.stdout, "no runs yet in %s; start one with: logitlab run train\n", cfg.Lab.RunsDir)
		return nil
	}
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	for _, p := range l.LoadRuns() {
		fmt.Fprintln(a.stderr, "logitlab: warning:", p)
	}
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATUS\tSTEP\tTEST_ACC\tSTARTED\tNOTE")
	for _, r := range l.Runs() {
		info := r.Info()
		acc := "-"
		if v, ok := info.Results["test_acc"].(float64); ok {
			acc = strconv.FormatFloat(v, 'f', 4, 64)
		} else if v, ok := lastTestAcc(r); ok {
			acc = strconv.FormatFloat(v, 'f', 4, 64) + "*"
		}
		step := strconv.FormatInt(info.Step, 10)
		if info.TotalSteps > 0 {
			step += "/" + strconv.FormatInt(info.TotalSteps, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", info.ID, info.Status, step, acc,
			info.Started.Local().Format(time.DateTime), truncate(info.Reason, 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "(* = last evaluation of an unfinished run)")
	return nil
}

func lastTestAcc(r *lab.Run) (float64, bool) {
	evs, _ := r.Since(0)
	for i := len(evs) - 1; i >= 0; i-- {
		if e, ok := evs[i].Body.(lab.EpochSummary); ok {
			return e.TestAcc, true
		}
	}
	return 0, false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// writeMetricsCSV writes a run's per-step metrics, with its evaluations on the steps they were
// made, as CSV (logitlab export RUN --csv; see export.go).
func writeMetricsCSV(w io.Writer, r *lab.Run) error {
	evs, _ := r.Since(0)
	type row struct {
		step                        int64
		epoch                       int
		loss, lr, rate              string
		trainLoss, testLoss, testAc string
	}
	rows := map[int64]*row{}
	get := func(step int64) *row {
		if rows[step] == nil {
			rows[step] = &row{step: step}
		}
		return rows[step]
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, ev := range evs {
		switch v := ev.Body.(type) {
		case lab.StepMetrics:
			rw := get(v.Step)
			rw.epoch, rw.loss, rw.lr, rw.rate = v.Epoch, f(v.Loss), f(v.LR), f(v.SamplesPerSec)
		case lab.EpochSummary:
			rw := get(v.Step)
			rw.epoch, rw.trainLoss, rw.testLoss, rw.testAc = v.Epoch, f(v.TrainLoss), f(v.TestLoss), f(v.TestAcc)
		}
	}
	steps := make([]int64, 0, len(rows))
	for s := range rows {
		steps = append(steps, s)
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"step", "epoch", "loss", "lr", "samples_per_sec", "train_loss", "test_loss", "test_acc"})
	for _, s := range steps {
		rw := rows[s]
		_ = cw.Write([]string{strconv.FormatInt(rw.step, 10), strconv.Itoa(rw.epoch), rw.loss, rw.lr, rw.rate, rw.trainLoss, rw.testLoss, rw.testAc})
	}
	cw.Flush()
	return cw.Error()
}
