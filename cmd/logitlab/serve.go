package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/logitlab/logitlab/internal/sshserve"
	"github.com/logitlab/logitlab/lab"
)

// serveCmd runs the lab in this process and serves it over SSH: every session gets its own TUI on
// the same runs. Runs started from controller sessions (the launcher, key n) run here, headless;
// SIGINT or SIGTERM says goodbye to the sessions, then stops the runs (each saves a checkpoint and
// can be resumed with logitlab run --resume ID).
func (a *app) serveCmd(ctx context.Context, args []string) error {
	fs := a.newFlagSet("serve", "logitlab serve [--ssh HOST:PORT] [--start | --resume RUN] [--config FILE] [flags]")
	configPath := fs.String("config", "", "settings file (default: ./config.toml when present)")
	addr := fs.String("ssh", "", "listen on this host:port (same as --addr; default from ssh.addr, 127.0.0.1:2222)")
	startNow := fs.Bool("start", false, "start a train run at once (controllers can start more with n)")
	resume := fs.String("resume", "", "resume this run in the server at once")
	var sf settingFlags
	sf.register(fs, "lab", "train", "tui", "ssh")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	if *addr != "" {
		sf.overrides = append(sf.overrides, [2]string{"ssh.addr", *addr})
	}
	if err := sf.apply(&cfg); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, nil))
	l, err := lab.New(lab.Params{RunsDir: cfg.Lab.RunsDir, Experiments: a.experiments(), FlushEvery: cfg.Lab.FlushEvery, Logger: logger})
	if err != nil {
		return err
	}
	for _, p := range l.LoadRuns() {
		fmt.Fprintln(a.stderr, "logitlab: warning:", p)
	}
	// Runs live under their own context, cancelled only after the sessions were told.
	runCtx, cancelRuns := context.WithCancel(context.Background())
	defer cancelRuns()
	if err := checkKeys(cfg); err != nil {
		return err
	}
	start := startUnder(runCtx, l)
	p := sshserve.ParamsFrom(cfg)
	p.Lab, p.Start, p.Experiments, p.Logger = l, start, a.launcherExperiments(), logger
	srv, err := sshserve.New(p)
	if err != nil {
		return err
	}
	state := "existing"
	if srv.HostKeyCreated() {
		state = "new"
	}
	host, port, _ := net.SplitHostPort(srv.Addr().String())
	fmt.Fprintf(a.stdout, "logitlab serve: listening on %s\n  host key %s (%s, %s)\n  keys     %s (logitlab-role=controller marks controllers)\n  connect  ssh -p %s %s\n",
		srv.Addr(), srv.Fingerprint(), state, p.HostKeyPath, p.AuthorizedKeys, port, host)
	switch {
	case *startNow && *resume != "":
		_ = srv.Close()
		return usagef("serve: --start and --resume exclude each other")
	case *startNow:
		r, err := start(ctx, "train", cfg)
		if err != nil {
			_ = srv.Close()
			return err
		}
		fmt.Fprintf(a.stdout, "  started  %s\n", r.ID())
	case *resume != "":
		r, err := l.Resume(runCtx, *resume)
		if err != nil {
			_ = srv.Close()
			return err
		}
		fmt.Fprintf(a.stdout, "  resumed  %s\n", r.ID())
	}
	err = srv.Serve(ctx)
	cancelRuns()
	if running(l) > 0 {
		fmt.Fprintln(a.stderr, "logitlab: stopping runs (each saves a checkpoint; resume with logitlab run --resume ID) …")
	}
	l.Wait()
	return err
}
