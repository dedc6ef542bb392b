package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Sample is one measured run of one side.
type Sample struct {
	SamplesPerSec float64 `json:"samples_per_sec"`
	Steps         int     `json:"steps"`
	Seconds       float64 `json:"seconds"`                 // timed seconds
	PeakRSSMB     float64 `json:"peak_rss_mb"`             // from the child's rusage after Wait (MiB)
	Threads       int     `json:"threads"`                 // GOMAXPROCS for ours, torch.set_num_threads for PyTorch
	OpenBLASCore  string  `json:"openblas_core,omitempty"` // PyTorch only: the kernel family its OpenBLAS loaded
}

// TorchInfo describes the PyTorch peer, found once per Run.
type TorchInfo struct {
	Available    bool     `json:"available"`
	Python       string   `json:"python,omitempty"`
	Version      string   `json:"version,omitempty"`
	OpenBLASCore string   `json:"openblas_core,omitempty"` // kernel family torch's OpenBLAS loaded
	Script       string   `json:"script,omitempty"`
	Env          []string `json:"env,omitempty"`  // what the harness adds to the environment
	Note         string   `json:"note,omitempty"` // why it is not available, and what to run
}

// runner measures one run of either side; the real one starts child processes, tests use a fake.
type runner interface {
	ours(ctx context.Context, w Workload, p plan) (Sample, error)
	torch(ctx context.Context, w Workload, p plan, threads int) (Sample, error)
}

// procRunner runs our side by re-executing exe as a worker and PyTorch with python and script.
type procRunner struct {
	exe    string
	python string
	script string
	env    []string // extra environment of PyTorch runs
}

func (r procRunner) ours(ctx context.Context, w Workload, p plan) (Sample, error) {
	cmd := exec.CommandContext(ctx, r.exe)
	cmd.Env = append(withoutBenchEnv(os.Environ()), workerEnv+"="+w.Name)
	cmd.Env = append(cmd.Env, p.env()...)
	out, rss, err := runChild(cmd)
	if err != nil {
		return Sample{}, fmt.Errorf("run our %s worker (%s): %w", w.Name, r.exe, err)
	}
	res, err := parseWorker(out)
	if err != nil {
		return Sample{}, fmt.Errorf("our %s worker: %w", w.Name, err)
	}
	if res.Error != "" {
		return Sample{}, errors.New(res.Error)
	}
	return Sample{
		SamplesPerSec: rate(res.Steps, w.SamplesPerStep, res.Seconds),
		Steps:         res.Steps, Seconds: res.Seconds, PeakRSSMB: rss, Threads: res.GOMAXPROCS,
	}, nil
}

// torchResult is the JSON line scripts/torch_bench.py prints.
type torchResult struct {
	SamplesPerSec float64 `json:"samples_per_sec"`
	Steps         int     `json:"steps"`
	Seconds       float64 `json:"seconds"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	Threads       int     `json:"threads"`
	TorchVersion  string  `json:"torch_version"`
	OpenBLASCore  string  `json:"openblas_core"`
}

func (r procRunner) torch(ctx context.Context, w Workload, p plan, threads int) (Sample, error) {
	cmd := exec.CommandContext(ctx, r.python, r.script,
		"--workload", w.TorchName, "--batch", strconv.Itoa(w.SamplesPerStep),
		"--steps", strconv.Itoa(p.minSteps), "--seconds", strconv.FormatFloat(p.minSeconds, 'g', -1, 64),
		"--warmup", strconv.Itoa(p.warmup), "--threads", strconv.Itoa(threads))
	cmd.Env = append(withoutBenchEnv(os.Environ()), r.env...)
	out, rss, err := runChild(cmd)
	if err != nil {
		return Sample{}, fmt.Errorf("run %s %s --workload %s --threads %d: %w", r.python, r.script, w.TorchName, threads, err)
	}
	var res torchResult
	if err := lastJSONLine(out, &res); err != nil {
		return Sample{}, fmt.Errorf("PyTorch %s (%d threads): %w", w.TorchName, threads, err)
	}
	return Sample{SamplesPerSec: res.SamplesPerSec, Steps: res.Steps, Seconds: res.Seconds, PeakRSSMB: rss, Threads: res.Threads, OpenBLASCore: res.OpenBLASCore}, nil
}

// runChild runs cmd, returns its stdout and its peak RSS in MiB (Linux's rusage reports KiB),
// and on failure an error that quotes the end of its stderr.
func runChild(cmd *exec.Cmd) ([]byte, float64, error) {
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err := cmd.Run()
	var rss float64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = float64(ru.Maxrss) / 1024
		}
	}
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w; its stderr ends: %s", err, msg)
		}
		return nil, 0, err
	}
	return stdout.Bytes(), rss, nil
}

// parseWorker finds the worker's result line.
func parseWorker(out []byte) (workerResult, error) {
	var res workerResult
	var line []byte
	for _, l := range bytes.Split(out, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(l, []byte(resultPrefix)); ok {
			line = rest
		}
	}
	if line == nil {
		return res, fmt.Errorf("no result line in its output (does main call bench.MaybeWorker first?)")
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return res, fmt.Errorf("decode result line %q: %w", line, err)
	}
	return res, nil
}

// lastJSONLine decodes the last line of out that looks like a JSON object.
func lastJSONLine(out []byte, v any) error {
	var last []byte
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 && l[0] == '{' {
			last = append(last[:0], l...)
		}
	}
	if last == nil {
		return fmt.Errorf("no JSON result line in its output: %q", truncate(string(out), 300))
	}
	if err := json.Unmarshal(last, v); err != nil {
		return fmt.Errorf("decode result line %q: %w", last, err)
	}
	return nil
}

// withoutBenchEnv drops our worker variables so a child never inherits a stale plan.
func withoutBenchEnv(env []string) []string {
	out := make([]string, 0, len(env)+4)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "LOGITLAB_BENCH_") {
			out = append(out, kv)
		}
	}
	return out
}

func rate(steps, samplesPerStep int, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(steps*samplesPerStep) / seconds
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// pythonCandidates are tried in order: Debian's python3 first, because a pyenv python3 earlier
// on PATH usually lacks Debian's python3-torch.
var pythonCandidates = []string{"/usr/bin/python3", "python3"}

// findTorch finds a python that imports torch (python, when given, is the only candidate) and
// the peer script, and describes them. It never fails: a missing piece is explained in Note.
func findTorch(ctx context.Context, python, script string, env []string) TorchInfo {
	info := TorchInfo{Env: env}
	if script == "" {
		script = findScript()
	}
	if script == "" {
		info.Note = "scripts/torch_bench.py not found in the current directory or above it, nor above the executable; run from the logitlab checkout or pass its path"
		return info
	}
	info.Script = script
	cands := pythonCandidates
	if python != "" {
		cands = []string{python}
	}
	var tried []string
	for _, c := range cands {
		path, err := exec.LookPath(c)
		if err != nil {
			tried = append(tried, c+" (not found)")
			continue
		}
		cmd := exec.CommandContext(ctx, path, "-c", "import torch; print(torch.__version__)")
		cmd.Env = append(withoutBenchEnv(os.Environ()), env...)
		out, err := cmd.Output()
		if err != nil {
			tried = append(tried, path+" (no torch)")
			continue
		}
		info.Available, info.Python, info.Version = true, path, strings.TrimSpace(string(out))
		return info
	}
	info.Note = fmt.Sprintf("PyTorch not importable (tried %s): run scripts/install-torch, which installs Debian's python3-torch",
		strings.Join(tried, ", "))
	return info
}

// findScript looks for scripts/torch_bench.py in the working directory and its parents, then
// above the executable.
func findScript() string {
	const rel = "scripts/torch_bench.py"
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			p := filepath.Join(dir, rel)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return ""
}
