package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/logitlab/logitlab/internal/fsutil"
	"github.com/logitlab/logitlab/lab/experiments"
)

// sweepCmd runs `logitlab sweep`: it writes a job-array script that runs the multitask grid's shards
// against a shared cells folder (Slurm or Kubernetes), or merges such a folder into one table.
//
//	logitlab sweep --emit slurm|k8s --shards N --cells-dir DIR [--out FILE] [...] [-- run flags]
//	logitlab sweep merge DIR [--out DIR]
func (a *app) sweepCmd(_ context.Context, args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return a.sweepMerge(args[1:])
	}
	fs := a.newFlagSet("sweep", "logitlab sweep --emit slurm|k8s --shards N --cells-dir DIR [flags] [-- logitlab run multitask flags]\n"+
		"       logitlab sweep merge DIR [--out DIR]")
	emit := fs.String("emit", "", "what to write: slurm (an sbatch job-array script) or k8s (an indexed Job manifest)")
	shards := fs.Int("shards", 4, "number of shards (array tasks, Job completions)")
	cellsDir := fs.String("cells-dir", "", "folder every shard writes its results to; shared by all (slurm: absolute path on a shared file system; k8s: path inside the volume mount, default /data/cells)")
	out := fs.String("out", "-", "file to write the script to (- for stdout)")
	binary := fs.String("binary", "", "logitlab executable the jobs run (default: this one's absolute path for slurm, logitlab for k8s)")
	cpus := fs.Int("cpus", 2, "CPUs per shard; each shard trains this many students at once")
	timeLimit := fs.String("time", "08:00:00", "slurm: time limit per array task")
	partition := fs.String("partition", "", "slurm: partition (empty: the cluster's default)")
	image := fs.String("image", "logitlab:latest", "k8s: container image that has logitlab on its PATH")
	pvc := fs.String("pvc", "logitlab-sweep", "k8s: PersistentVolumeClaim mounted at /data in every pod")
	configPath := fs.String("config", "", "settings file the shards read (must exist at the same path on every node)")
	var runFlags []string
	for i, s := range args {
		if s == "--" {
			args, runFlags = args[:i], args[i+1:]
			break
		}
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("sweep: unexpected argument %q; flags for the runs go after --", fs.Arg(0))
	}
	if *shards < 1 || *cpus < 1 {
		return usagef("sweep: --shards and --cpus must be at least 1")
	}
	for _, f := range runFlags {
		name := strings.TrimLeft(strings.SplitN(f, "=", 2)[0], "-")
		if name == "shard" || name == "cells-dir" || name == "workers" || name == "headless" || name == "runs-dir" || name == "out" {
			return usagef("sweep: --%s is set by the script itself; leave it out of the run flags", name)
		}
	}
	// Check the run flags now, not on the cluster: build the grid they describe.
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	rfs := a.newFlagSet("run multitask", "logitlab run multitask [flags]")
	var sf settingFlags
	sf.register(rfs, "lab", "tui", "multitask")
	if err := parse(rfs, runFlags); err != nil {
		return fmt.Errorf("sweep: run flags after --: %w", err)
	}
	if err := sf.apply(&cfg); err != nil {
		return err
	}
	grid, err := experiments.MultitaskGridFromConfig(cfg.Multitask)
	if err != nil {
		return err
	}
	p := scriptParams{shards: *shards, cellsDir: *cellsDir, binary: *binary, cpus: *cpus, config: *configPath,
		runFlags: runFlags, jobs: len(grid.Jobs())}
	var script string
	switch *emit {
	case "slurm":
		if p.binary == "" {
			if p.binary, err = os.Executable(); err != nil {
				return fmt.Errorf("sweep: find this executable (give --binary): %w", err)
			}
		}
		if p.cellsDir == "" {
			return usagef("sweep: --cells-dir is required: a folder on a file system every node sees")
		}
		if p.cellsDir, err = filepath.Abs(p.cellsDir); err != nil {
			return err
		}
		// Slurm opens each task's --output file in the cells folder before the task runs.
		if err := os.MkdirAll(p.cellsDir, 0o755); err != nil {
			return fmt.Errorf("sweep: create the cells folder: %w", err)
		}
		script = slurmScript(p, *timeLimit, *partition)
	case "k8s":
		if p.binary == "" {
			p.binary = "logitlab"
		}
		if p.cellsDir == "" {
			p.cellsDir = "/data/cells"
		}
		script = k8sManifest(p, *image, *pvc)
	default:
		return usagef("sweep: --emit must be slurm or k8s (or use: logitlab sweep merge DIR)")
	}
	if *out == "-" {
		_, err = io.WriteString(a.stdout, script)
		return err
	}
	if err := fsutil.WriteFileAtomic(*out, []byte(script), 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	fmt.Fprintf(a.stderr, "logitlab: wrote %s (%d shards over %d trainings); when all are done: logitlab sweep merge %s\n",
		*out, p.shards, p.jobs, p.cellsDir)
	return nil
}

type scriptParams struct {
	shards   int
	cellsDir string
	binary   string
	cpus     int
	config   string
	runFlags []string
	jobs     int
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// runLine is the shard's command; shardExpr is a shell expression for "i/N".
func (p scriptParams) runLine(shardExpr, runsDir string) string {
	parts := []string{shellQuote(p.binary), "run", "multitask", "--headless"}
	if p.config != "" {
		parts = append(parts, "--config", shellQuote(p.config))
	}
	parts = append(parts, "--runs-dir", shellQuote(runsDir), "--cells-dir", shellQuote(p.cellsDir),
		"--shard", shardExpr, "--workers", strconv.Itoa(p.cpus))
	for _, f := range p.runFlags {
		parts = append(parts, shellQuote(f))
	}
	return strings.Join(parts, " ")
}

func slurmScript(p scriptParams, timeLimit, partition string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n# Runs the multitask grid (%d trainings) as %d shards of one Slurm job array; every shard\n", p.jobs, p.shards)
	fmt.Fprintf(&b, "# writes its results into %s, and a failed or killed task resumes where it stopped when\n", p.cellsDir)
	b.WriteString("# re-run. Submit with sbatch; when all tasks are done: logitlab sweep merge " + shellQuote(p.cellsDir) + "\n")
	b.WriteString("#SBATCH --job-name=logitlab-multitask\n")
	fmt.Fprintf(&b, "#SBATCH --array=1-%d\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%d\n#SBATCH --time=%s\n", p.shards, p.cpus, timeLimit)
	if partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", partition)
	}
	fmt.Fprintf(&b, "#SBATCH --output=%s/slurm-%%A_%%a.out\n", p.cellsDir)
	b.WriteString("set -euo pipefail\n")
	b.WriteString("export OPENBLAS_NUM_THREADS=1 # one thread per training; --workers trains cpus-per-task at once\n")
	fmt.Fprintf(&b, "mkdir -p %s\n", shellQuote(p.cellsDir+"/runs"))
	fmt.Fprintf(&b, "exec %s\n", p.runLine(fmt.Sprintf(`"${SLURM_ARRAY_TASK_ID}/%d"`, p.shards), p.cellsDir+"/runs"))
	return b.String()
}

func jsonString(s string) string { return strconv.Quote(s) }

func k8sManifest(p scriptParams, image, pvc string) string {
	cmd := p.runLine(fmt.Sprintf(`"$((JOB_COMPLETION_INDEX + 1))/%d"`, p.shards), filepath.Dir(p.cellsDir)+"/runs")
	var b strings.Builder
	fmt.Fprintf(&b, "# Runs the multitask grid (%d trainings) as an indexed Job of %d completions; every pod writes\n", p.jobs, p.shards)
	fmt.Fprintf(&b, "# its results into %s on the volume %s, and a retried pod resumes where its shard stopped.\n", p.cellsDir, pvc)
	b.WriteString("# kubectl apply -f this file; when it completes, merge the cells folder: logitlab sweep merge DIR\n")
	b.WriteString("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: logitlab-multitask\nspec:\n")
	b.WriteString("  completionMode: Indexed\n")
	fmt.Fprintf(&b, "  completions: %d\n  parallelism: %d\n  backoffLimitPerIndex: 3\n  maxFailedIndexes: %d\n", p.shards, p.shards, p.shards)
	b.WriteString("  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: shard\n")
	fmt.Fprintf(&b, "        image: %s\n", jsonString(image))
	b.WriteString("        command: [\"/bin/sh\", \"-c\"]\n")
	b.WriteString("        env:\n        - {name: OPENBLAS_NUM_THREADS, value: \"1\"}\n")
	fmt.Fprintf(&b, "        args: [%s]\n", jsonString("mkdir -p "+shellQuote(filepath.Dir(p.cellsDir)+"/runs")+" && exec "+cmd))
	fmt.Fprintf(&b, "        resources:\n          requests: {cpu: \"%d\", memory: 1Gi}\n          limits: {cpu: \"%d\", memory: 2Gi}\n", p.cpus, p.cpus)
	b.WriteString("        volumeMounts:\n        - {name: data, mountPath: /data}\n")
	fmt.Fprintf(&b, "      volumes:\n      - name: data\n        persistentVolumeClaim: {claimName: %s}\n", jsonString(pvc))
	return b.String()
}

// sweepMerge merges a cells folder into one table, summary and figure.
func (a *app) sweepMerge(args []string) error {
	dir := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	fs := a.newFlagSet("sweep merge", "logitlab sweep merge DIR [--out DIR]")
	out := fs.String("out", "", "folder for multitask_cells.csv, multitask_summary.csv and multitask_benefit.png (default: DIR)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if dir == "" || fs.NArg() > 0 {
		return usagef("sweep merge: want logitlab sweep merge DIR [--out DIR]")
	}
	if *out == "" {
		*out = dir
	}
	sums, missing, err := experiments.MergeMultitask(dir, *out)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "n_train\tn_aux\ts_a\ts_b\tr\tdepth\tseeds\tbenefit ± sem\tsingle\tmulti")
	for _, s := range sums {
		fmt.Fprintf(tw, "%d\t%d\t%g\t%g\t%g\t%d\t%d\t%+.4f ± %.4f\t%.4f\t%.4f\n", s.NTrain, s.NAux, s.SA, s.SB, s.R, s.Depth,
			s.Seeds, s.Benefit, s.BenefitSEM, s.Single, s.Multi)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %s, %s and %s\n", filepath.Join(*out, "multitask_cells.csv"),
		filepath.Join(*out, "multitask_summary.csv"), filepath.Join(*out, "multitask_benefit.png"))
	if missing > 0 {
		fmt.Fprintf(a.stderr, "logitlab: warning: %d multitask results have no single-task baseline yet (a shard is still running or failed)\n", missing)
	}
	return nil
}
