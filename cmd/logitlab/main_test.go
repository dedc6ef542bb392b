package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/runlog"
)

// TestMain lets the test binary act as the logitlab command, so tests can run it as a child process
// and kill it for real.
func TestMain(m *testing.M) {
	if os.Getenv("LOGITLAB_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// logitlab runs the command in a child process and returns it, started.
func logitlab(t *testing.T, stdout *syncBuffer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LOGITLAB_TEST_AS_MAIN=1")
	cmd.Stdout, cmd.Stderr = stdout, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// stepLosses reads a run's log: the loss of every step, by step, failing on a repeated step.
func stepLosses(t *testing.T, dir string) map[int64]float64 {
	t.Helper()
	recs, err := runlog.ReadFile(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]float64{}
	for _, r := range recs {
		if r.Kind != "step" {
			continue
		}
		var s struct {
			Step int64   `json:"step"`
			Loss float64 `json:"loss"`
		}
		if err := json.Unmarshal(r.Data, &s); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[s.Step]; dup {
			t.Fatalf("step %d logged twice", s.Step)
		}
		out[s.Step] = s.Loss
	}
	return out
}

// TestKillAndResume kills a training process with SIGKILL mid-run, resumes it, and checks that the
// resumed run logs every step exactly once, with the same losses as an uninterrupted run.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice")
	}
	runs := t.TempDir()
	args := []string{"run", "train", "--headless", "--data", "fashion", "--epochs", "2", "--batch", "100",
		"--checkpoint-every", "20", "--out", runs, "--flush-every", "100ms"}

	var refOut syncBuffer
	ref := logitlab(t, &refOut, append(args, "--seed", "7")...)
	if err := ref.Wait(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, refOut.String())
	}
	refDir := runDir(t, refOut.String())
	want := stepLosses(t, refDir)
	if len(want) != 100 { // 5000 Fashion-MNIST images / 100 per batch × 2 epochs
		t.Fatalf("uninterrupted run logged %d steps, want 100", len(want))
	}

	var out syncBuffer
	victim := logitlab(t, &out, append(args, "--seed", "7")...)
	deadline := time.Now().Add(60 * time.Second)
	var dir string
	for { // kill once step 45 is on disk: past at least two checkpoints (every 20 steps)
		if dir == "" {
			if d, ok := tryRunDir(out.String()); ok {
				dir = d
			}
		}
		if dir != "" && lastStep(filepath.Join(dir, "events.jsonl")) >= 45 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run never reached step 50:\n%s", out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.Wait()
	killedAt := len(stepLosses(t, dir))
	if killedAt >= 100 {
		t.Fatalf("the run finished before it was killed (%d steps)", killedAt)
	}

	var resOut syncBuffer
	res := logitlab(t, &resOut, "run", "--resume", filepath.Base(dir), "--headless", "--out", runs)
	if err := res.Wait(); err != nil {
		t.Fatalf("resume: %v\n%s", err, resOut.String())
	}
	var from int
	if _, after, ok := strings.Cut(resOut.String(), "resumed train run from step "); !ok {
		t.Errorf("resume output does not say where it resumed:\n%s", resOut.String())
	} else if _, err := fmt.Sscan(after, &from); err != nil || from < 40 || from%20 != 0 || from >= 100 {
		t.Errorf("resumed from step %d, want a checkpoint step (a multiple of 20) of at least 40", from)
	}
	got := stepLosses(t, dir)
	if len(got) != len(want) {
		t.Fatalf("resumed run logged %d steps, want %d (killed after %d)", len(got), len(want), killedAt)
	}
	for s, l := range want {
		if got[s] != l {
			t.Errorf("step %d: loss %v after resume, %v uninterrupted", s, got[s], l)
		}
	}
	for _, f := range []string{"results.json", "config.toml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// lastStep is the highest step in a run log being written, or 0.
func lastStep(path string) int64 {
	recs, _ := runlog.ReadFile(path) // a torn tail is fine: the records before it come back
	var last int64
	for _, r := range recs {
		var s struct {
			Step int64 `json:"step"`
		}
		if r.Kind == "step" && json.Unmarshal(r.Data, &s) == nil {
			last = s.Step
		}
	}
	return last
}

func tryRunDir(out string) (string, bool) {
	for _, line := range strings.Split(out, "\n") {
		if _, after, ok := strings.Cut(line, ": run directory "); ok {
			return strings.TrimSpace(after), true
		}
	}
	return "", false
}

func runDir(t *testing.T, out string) string {
	t.Helper()
	d, ok := tryRunDir(out)
	if !ok {
		t.Fatalf("no run directory in output:\n%s", out)
	}
	return d
}

func TestDivergenceIsReported(t *testing.T) {
	var out syncBuffer
	cmd := logitlab(t, &out, "run", "train", "--headless", "--data", "fashion", "--epochs", "1", "--lr", "1e4", "--out", t.TempDir())
	err := cmd.Wait()
	var ee *exec.ExitError
	if err == nil || !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("exit: %v, want code %d\n%s", err, exitFailed, out.String())
	}
	if !strings.Contains(out.String(), "FAILED after step") || !strings.Contains(out.String(), "diverged at step") ||
		!strings.Contains(out.String(), "lower the learning rate") {
		t.Errorf("output lacks a clear divergence message:\n%s", out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "nope"}, exitUsage, `unknown experiment "nope"`},
		{[]string{"run", "train", "--model", "resnet"}, exitUsage, "must be one of mlp, cnn"},
		{[]string{"run", "train", "--epochs", "0"}, exitUsage, "train.epochs"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"help"}, exitOK, "logitlab run EXPERIMENT"},
		{[]string{"demo", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"demo", "--help"}, exitOK, "two-minute tour"},
		{[]string{"run", "distill", "--variants", "robust:shufle", "--out", "RUNS"}, exitFailed, "unknown manipulation"},
		{[]string{"run", "distill", "--T", "0", "--out", "RUNS"}, exitFailed, "not a temperature"},
		{[]string{"run", "--resume", "no-such-run", "--out", "RUNS"}, exitFailed, "logitlab runs"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "RUNS", dir)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, strings.NewReader(""), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, tc.code, stderr.String())
			}
			if all := stdout.String() + stderr.String(); !strings.Contains(all, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, all)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer that a child process's output goroutine and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
