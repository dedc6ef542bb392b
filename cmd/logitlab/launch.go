package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/tui"
)

// launcherExperiments lists the experiments for the TUI's launcher, each with the config sections
// its settings form (and its live settings) come from.
func (a *app) launcherExperiments() []tui.Experiment {
	var out []tui.Experiment
	for _, e := range a.experiments() {
		out = append(out, tui.Experiment{Name: e.Name(), Summary: e.Summary(), Sections: experimentSections[e.Name()]})
	}
	return out
}

// tuiParams are the TUI's parameters for this terminal: settings from cfg, the user's NO_COLOR, and
// start (nil: no launcher) to start runs from the launcher.
func (a *app) tuiParams(l *lab.Lab, cfg config.Config, start func(context.Context, string, config.Config) (*lab.Run, error)) tui.Params {
	return tui.Params{
		Lab: l, User: "tui", FPS: cfg.TUI.FPS, Smoothing: cfg.TUI.Smoothing, Header: "blas: " + a.blasLine(),
		Experiments: a.launcherExperiments(), Config: cfg, Start: start,
		Theme: cfg.TUI.Theme, NoColor: os.Getenv("NO_COLOR") != "", Keys: cfg.TUI.Keys,
	}
}

// startUnder returns a launcher Start that starts runs of l under runCtx (they outlive the call's
// own context, which only bounds the start).
func startUnder(runCtx context.Context, l *lab.Lab) func(context.Context, string, config.Config) (*lab.Run, error) {
	return func(_ context.Context, exp string, cfg config.Config) (*lab.Run, error) {
		return l.Start(runCtx, lab.Spec{Experiment: exp, Config: cfg})
	}
}

// checkKeys refuses a tui.keys value the TUI cannot use, before any terminal is taken over.
func checkKeys(cfg config.Config) error {
	if err := tui.CheckKeys(cfg.TUI.Keys); err != nil {
		return &usageError{err.Error() + " (fix [tui] keys in the config file, or --tui-keys)"}
	}
	return nil
}

// onceCmd prints one plain-text frame of run id (the newest when "") from the runs directory, at
// width × height cells: logitlab --once [RUN] [--width N] [--height N].
func (a *app) onceCmd(cfg config.Config, id string, width, height int) error {
	if width < 60 || height < 16 {
		return usagef("--once: the frame must be at least 60×16 cells (got --width %d --height %d)", width, height)
	}
	if _, err := os.Stat(cfg.Lab.RunsDir); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--once: no runs directory %s; start a run first (logitlab run train)", cfg.Lab.RunsDir)
	}
	l, err := a.newLab(cfg)
	if err != nil {
		return err
	}
	for _, p := range l.LoadRuns() {
		fmt.Fprintln(a.stderr, "logitlab: warning:", p)
	}
	frame, err := tui.Snapshot(a.tuiParams(l, cfg, nil), id, width, height)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "tui: "))
	}
	_, err = fmt.Fprint(a.stdout, frame)
	return err
}
