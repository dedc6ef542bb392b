package main

import (
	"context"
	"strings"

	"github.com/logitlab/logitlab/internal/bench"
)

// benchCmd measures training-step throughput, beside PyTorch's on the same shapes when asked.
func (a *app) benchCmd(ctx context.Context, args []string) error {
	fs := a.newFlagSet("bench", "logitlab bench [--against-torch] [--json] [--rounds N] [--workloads "+strings.Join(bench.Workloads().Names(), ",")+"]")
	against := fs.Bool("against-torch", false, "run PyTorch (Debian's python3-torch; scripts/install-torch installs it) on the same shapes, interleaved with ours")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	rounds := fs.Int("rounds", 3, "rounds of every workload; the median is reported")
	workloads := fs.String("workloads", strings.Join(bench.Workloads().Names(), ","), "comma-separated workloads to run")
	python := fs.String("python", "", "python interpreter with torch (default: /usr/bin/python3, then python3)")
	script := fs.String("torch-script", "", "path of scripts/torch_bench.py when running from outside the repository")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *rounds < 1 {
		return usagef("--rounds must be at least 1")
	}
	_, err := bench.Run(ctx, bench.Options{
		Workloads:    strings.Split(*workloads, ","),
		Rounds:       *rounds,
		AgainstTorch: *against,
		JSON:         *asJSON,
		Python:       *python,
		TorchScript:  *script,
		OursNote:     a.blasLine(),
		Progress:     a.stderr,
	}, bench.Workloads(), a.stdout)
	return err
}
