package main

import (
	"context"
	"fmt"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/progress"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/tui"
)

// demoSettings are the tour's runs, small enough for about two minutes on 2 cores: a logits run
// on the built-in 20,000 digits (6 epochs, one seed, histograms three times an epoch, PGD-20×2 on
// 300 test digits) and a distill run of five students of its teachers (5 epochs each).
func demoSettings() map[string][][2]string {
	return map[string][][2]string{
		"logits": {
			{"logits.epochs", "6"}, {"logits.seeds", "1"}, {"logits.sweep_eps", ""},
			{"logits.curve_eps", "0,0.05,0.1,0.2"}, {"logits.eval_samples", "300"}, {"logits.eval_steps", "20"},
			{"logits.track_every", "52"}, {"logits.stats_samples", "1000"}, {"logits.gallery", "8"},
		},
		"distill": {
			{"distill.variants", "hard,standard,robust,robust:shuffle,robust:swapconf"}, {"distill.temperatures", "30"},
			{"distill.seeds", "1"}, {"distill.epochs", "5"}, {"distill.eval_samples", "300"}, {"distill.eval_steps", "20"},
			{"distill.test_samples", "1000"}, {"distill.workers", "1"},
		},
	}
}

// demoConfigs returns the two runs' settings over base.
func demoConfigs(base config.Config) (logits, distill config.Config, err error) {
	logits, distill = base, base
	for section, dst := range map[string]*config.Config{"logits": &logits, "distill": &distill} {
		for _, kv := range demoSettings()[section] {
			if err := dst.Set(kv[0], kv[1]); err != nil {
				return logits, distill, fmt.Errorf("demo settings: %w", err)
			}
		}
	}
	return logits, distill, nil
}

// demoCmd runs the scripted tour: logitlab demo [--config FILE] [--runs-dir DIR]. Without a
// terminal it runs the same two runs with progress lines.
func (a *app) demoCmd(ctx context.Context, args []string) error {
	fs := a.newFlagSet("demo", "logitlab demo [--config FILE] [--runs-dir DIR]")
	fs.Usage = func() {
		fmt.Fprint(a.stderr, `Usage: logitlab demo [--config FILE] [--runs-dir DIR]

A two-minute tour of paper 1 on the built-in MNIST digits: a standard and an adversarially trained
MLP training side by side, their max-logit and gap histograms pulling apart, robust accuracy under
PGD, the digits they disagree on most, then students distilled from them on clean digits filling in
a bar chart. Captions explain each step; any key pauses the tour (space continues, q quits).
Without a terminal the same runs print progress lines.

Flags:
`)
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "", "settings file (default: ./config.toml when present)")
	var sf settingFlags
	sf.register(fs, "lab", "tui")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; see logitlab demo --help", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if err := sf.apply(&cfg); err != nil {
		return err
	}
	logitsCfg, distillCfg, err := demoConfigs(cfg)
	if err != nil {
		return err
	}
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	runCtx, cancelRuns := context.WithCancel(ctx)
	defer cancelRuns()
	if !isTerminal(a.stdout) {
		fmt.Fprintln(a.stderr, "logitlab demo: stdout is not a terminal: running the tour's runs with progress lines")
		return a.demoHeadless(runCtx, l, logitsCfg, distillCfg)
	}
	if err := checkKeys(cfg); err != nil {
		return err
	}
	err = tui.RunDemo(ctx, tui.DemoParams{Params: a.tuiParams(l, cfg, startUnder(runCtx, l)), Logits: logitsCfg, Distill: distillCfg})
	for _, r := range l.Runs() {
		if !r.Info().Status.Final() {
			_ = r.Send(lab.Stop("demo (quit)"))
		}
	}
	cancelRuns()
	l.Wait()
	return err
}

// demoHeadless runs the logits run, then the distill run of its teachers, printing progress.
func (a *app) demoHeadless(ctx context.Context, l *lab.Lab, logitsCfg, distillCfg config.Config) error {
	pr := &progress.Printer{Out: a.stdout}
	r, err := l.Start(ctx, lab.Spec{Experiment: "logits", Config: logitsCfg})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: run directory %s\n", r.ID(), r.Dir())
	pr.Follow(ctx, l, r)
	<-r.Done()
	if err := endError(r); err != nil {
		return err
	}
	distillCfg.Distill.TeacherRun = r.Dir()
	r2, err := l.Start(ctx, lab.Spec{Experiment: "distill", Config: distillCfg})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: run directory %s\n", r2.ID(), r2.Dir())
	pr.Follow(ctx, l, r2)
	l.Wait()
	return endError(r2)
}
