package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sweepFlags is a small multitask grid: 2 s_b × 2 r × 3 seeds = 12 multitask and 3 baseline trainings.
func sweepFlags(epochs string) []string {
	return []string{"--d", "12", "--rank", "4", "--classes", "4", "--n-test", "60", "--width", "8", "--lr", "0.05",
		"--batch", "16", "--epochs", epochs, "--n-train", "32", "--s-a", "10", "--s-b", "0.5,10", "--r", "0,1",
		"--depth", "1", "--seeds", "3", "--flush-every", "100ms"}
}

func runSweepProcess(t *testing.T, out *syncBuffer, runs, cells string, extra ...string) error {
	t.Helper()
	args := append([]string{"run", "multitask", "--headless", "--runs-dir", runs, "--cells-dir", cells}, sweepFlags("40")...)
	return logitlab(t, out, append(args, extra...)...).Wait()
}

func mergedTable(t *testing.T, cells string) []byte {
	t.Helper()
	var out syncBuffer
	if err := logitlab(t, &out, "sweep", "merge", cells, "--out", cells).Wait(); err != nil {
		t.Fatalf("merge: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(filepath.Join(cells, "multitask_cells.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte("\n")) != 13 {
		t.Fatalf("merged table has %d lines, want a header and 12 rows:\n%s", bytes.Count(b, []byte("\n")), b)
	}
	return b
}

// TestSweepShardsMatchOneProcess runs the grid in one process and as three shard processes at once on
// a shared cells folder, merges both, and compares the tables byte for byte.
func TestSweepShardsMatchOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four processes")
	}
	var out syncBuffer
	one := t.TempDir()
	if err := runSweepProcess(t, &out, t.TempDir(), one); err != nil {
		t.Fatalf("single process: %v\n%s", err, out.String())
	}
	sharded, runs := t.TempDir(), t.TempDir()
	errs := make(chan error, 3)
	for i := 1; i <= 3; i++ {
		go func() {
			errs <- runSweepProcess(t, &out, runs, sharded, "--shard", strconv.Itoa(i)+"/3", "--workers", "1")
		}()
	}
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("shard: %v\n%s", err, out.String())
		}
	}
	if a, b := mergedTable(t, one), mergedTable(t, sharded); !bytes.Equal(a, b) {
		t.Errorf("sharded table differs from the single-process one:\n%s\nvs\n%s", b, a)
	}
}

// TestSweepKilledResumes kills a sweep process with SIGKILL once some results are on disk, runs the
// same command again, and checks that it keeps the finished trainings and ends with the table an
// uninterrupted sweep gives.
func TestSweepKilledResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three processes")
	}
	var out syncBuffer
	ref := t.TempDir()
	if err := logitlab(t, &out, append([]string{"run", "multitask", "--headless", "--runs-dir", t.TempDir(), "--cells-dir", ref},
		sweepFlags("400")...)...).Wait(); err != nil {
		t.Fatalf("reference: %v\n%s", err, out.String())
	}
	cells, runs := t.TempDir(), t.TempDir()
	args := append([]string{"run", "multitask", "--headless", "--runs-dir", runs, "--cells-dir", cells, "--workers", "1"}, sweepFlags("400")...)
	victim := logitlab(t, &out, args...)
	deadline := time.Now().Add(time.Minute)
	for n := 0; n < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("no results after a minute:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
		ents, _ := filepath.Glob(filepath.Join(cells, "*.json"))
		n = len(ents)
	}
	_ = victim.Process.Signal(syscall.SIGKILL)
	_ = victim.Wait()
	before, _ := filepath.Glob(filepath.Join(cells, "*.json"))
	if len(before) >= 15 {
		t.Skip("the sweep finished before it could be killed")
	}
	var again syncBuffer
	if err := logitlab(t, &again, args...).Wait(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, again.String())
	}
	if !strings.Contains(again.String(), strconv.Itoa(len(before))+" already in") {
		t.Errorf("the rerun did not report the %d finished trainings:\n%s", len(before), again.String())
	}
	if a, b := mergedTable(t, ref), mergedTable(t, cells); !bytes.Equal(a, b) {
		t.Errorf("killed-and-resumed table differs:\n%s\nvs\n%s", b, a)
	}
}

// TestSweepEmit checks the Slurm and Kubernetes scripts: one shard per array task or completion
// index, the shared cells folder, the run flags passed through, and refusals worded for the user.
func TestSweepEmit(t *testing.T) {
	var out syncBuffer
	cells := t.TempDir()
	if err := logitlab(t, &out, "sweep", "--emit", "slurm", "--shards", "6", "--cells-dir", cells, "--binary", "/opt/logitlab",
		"--", "--preset", "paper", "--trunk", "linear").Wait(); err != nil {
		t.Fatalf("emit slurm: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{"#SBATCH --array=1-6", "#SBATCH --cpus-per-task=2", `--shard "${SLURM_ARRAY_TASK_ID}/6"`,
		"--cells-dir " + cells, "--preset paper --trunk linear", "exec /opt/logitlab run multitask --headless"} {
		if !strings.Contains(s, want) {
			t.Errorf("slurm script lacks %q:\n%s", want, s)
		}
	}
	var k8s syncBuffer
	if err := logitlab(t, &k8s, "sweep", "--emit", "k8s", "--shards", "4", "--", "--preset", "paper").Wait(); err != nil {
		t.Fatalf("emit k8s: %v\n%s", err, k8s.String())
	}
	for _, want := range []string{"completionMode: Indexed", "completions: 4", "$((JOB_COMPLETION_INDEX + 1))/4", "--cells-dir /data/cells", "claimName"} {
		if !strings.Contains(k8s.String(), want) {
			t.Errorf("k8s manifest lacks %q:\n%s", want, k8s.String())
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "--emit", "slurm", "--cells-dir", cells, "--", "--shard", "1/2"}, "set by the script itself"},
		{[]string{"sweep", "--emit", "pbs", "--cells-dir", cells}, "--emit must be slurm or k8s"},
		{[]string{"sweep", "--emit", "slurm", "--cells-dir", cells, "--", "--rank", "11"}, "rank must be ≤ d/2"},
		{[]string{"sweep", "merge"}, "want logitlab sweep merge DIR"},
	} {
		var eo syncBuffer
		if err := logitlab(t, &eo, tc.args...).Wait(); err == nil || !strings.Contains(eo.String(), tc.want) {
			t.Errorf("%v: %v, output %q; want an error saying %q", tc.args, err, eo.String(), tc.want)
		}
	}
}
