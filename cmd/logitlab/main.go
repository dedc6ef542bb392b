// Command logitlab is a terminal lab for training small models, attacking them and watching what
// they learn. Run `logitlab --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/logitlab/logitlab/internal/bench"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1 // an error, or a run that failed
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// run is the composition root: environment → blas → signal context → subcommand.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app, reexec, err := newApp(stdin, stdout, stderr)
	if reexec {
		return exitOK // not reached: the process was replaced
	}
	if err != nil {
		fmt.Fprintln(stderr, "logitlab:", err)
		return exitFailed
	}
	if bench.MaybeWorker(bench.Workloads()) {
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP) // SIGHUP: an ssh -t session dropped; runs checkpoint and stop
	defer stop()

	cmd, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "":
		err = app.tuiCmd(ctx, rest)
	case "tui":
		err = app.tuiCmd(ctx, rest)
	case "run":
		err = app.runCmd(ctx, rest)
	case "runs":
		err = app.runsCmd(rest)
	case "export":
		err = app.exportCmd(rest)
	case "serve":
		err = app.serveCmd(ctx, rest)
	case "demo":
		err = app.demoCmd(ctx, rest)
	case "sweep":
		err = app.sweepCmd(ctx, rest)
	case "bench":
		err = app.benchCmd(ctx, rest)
	case "help":
		app.usage(stdout)
		return exitOK
	default:
		err = usagef("unknown command %q; see logitlab --help", cmd)
	}
	return app.exitCode(ctx, err)
}

func (a *app) exitCode(ctx context.Context, err error) int {
	var ue *usageError
	var re *runEndedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(a.stderr, "logitlab:", err)
		return exitUsage
	case errors.As(err, &re) && re.status == "stopped" && ctx.Err() != nil:
		fmt.Fprintln(a.stderr, "logitlab:", err)
		return exitInterrupted
	default:
		fmt.Fprintln(a.stderr, "logitlab:", err)
		return exitFailed
	}
}
