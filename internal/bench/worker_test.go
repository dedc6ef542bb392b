package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testRegistry holds trivial workloads for the re-exec tests; TestMain serves them as a worker.
var testRegistry = Registry{
	{
		Name: "alloc", About: "touches 64 MiB in Setup, then counts", SamplesPerStep: 10, FLOPsPerStep: 1e6,
		Setup: func() (func() error, func(), error) {
			buf := make([]byte, 64<<20)
			for i := range buf {
				buf[i] = byte(i)
			}
			n := 0
			return func() error { n += int(buf[n%len(buf)]) + 1; return nil }, func() { _ = buf[0] }, nil
		},
	},
	{
		Name: "fail", SamplesPerStep: 1,
		Setup: func() (func() error, func(), error) {
			k := 0
			return func() error {
				if k++; k == 4 {
					return errors.New("step exploded")
				}
				return nil
			}, nil, nil
		},
	},
	{
		Name: "badsetup", SamplesPerStep: 1,
		Setup: func() (func() error, func(), error) { return nil, nil, errors.New("no weights") },
	},
}

func TestMain(m *testing.M) {
	if MaybeWorker(testRegistry) {
		return
	}
	os.Exit(m.Run())
}

func TestWorkerReexec(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := procRunner{exe: exe}
	ctx := context.Background()
	p := plan{warmup: 2, minSteps: 5, minSeconds: 0}

	s, err := r.ours(ctx, testRegistry[0], p)
	if err != nil {
		t.Fatalf("ours(alloc): %v", err)
	}
	if s.Steps != 5 || s.Threads < 1 {
		t.Errorf("ours(alloc) = %+v, want 5 steps and GOMAXPROCS ≥ 1", s)
	}
	if s.PeakRSSMB < 64 || s.PeakRSSMB > 4096 {
		t.Errorf("peak RSS %.1f MiB, want ≥ 64 (the workload touches 64 MiB)", s.PeakRSSMB)
	}

	for _, tc := range []struct {
		w    Workload
		want string
	}{
		{testRegistry[1], "timed step 2: step exploded"}, // the 4th call fails: 2 warm-up steps, then timed step 2
		{testRegistry[2], "set up badsetup: no weights"},
		{Workload{Name: "nosuch", SamplesPerStep: 1}, `unknown workload "nosuch"`},
	} {
		_, err := r.ours(ctx, tc.w, plan{warmup: 2, minSteps: 5})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ours(%s) error = %v, want it to contain %q", tc.w.Name, err, tc.want)
		}
	}
}

func TestWorkStopsAtStepsAndSeconds(t *testing.T) {
	// A fake clock advancing 100 ms per reading: start, then one reading per step.
	for _, tc := range []struct {
		name      string
		env       map[string]string
		wantSteps int
	}{
		{"steps bound", map[string]string{stepsEnv: "7", secondsEnv: "0.25", warmupEnv: "0"}, 7},
		{"seconds bound", map[string]string{stepsEnv: "2", secondsEnv: "1.05", warmupEnv: "1"}, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := time.Unix(0, 0)
			now := func() time.Time { clock = clock.Add(100 * time.Millisecond); return clock }
			res := work(testRegistry, "alloc", func(k string) string { return tc.env[k] }, now)
			if res.Error != "" || res.Steps != tc.wantSteps {
				t.Fatalf("work = %+v, want %d steps", res, tc.wantSteps)
			}
			if want := 0.1 * float64(tc.wantSteps); res.Seconds < want-1e-9 || res.Seconds > want+1e-9 {
				t.Errorf("seconds = %v, want %v", res.Seconds, want)
			}
		})
	}
}

func TestPlanFromEnvRejects(t *testing.T) {
	for _, env := range []map[string]string{
		{stepsEnv: "0"}, {stepsEnv: "x"}, {secondsEnv: "-1"}, {warmupEnv: "-2"},
	} {
		if _, err := planFromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("planFromEnv(%v) succeeded, want an error", env)
		}
	}
}

func TestMaybeWorkerIdle(t *testing.T) {
	if MaybeWorker(testRegistry) {
		t.Fatal("MaybeWorker handled a process without " + workerEnv)
	}
}

// TestTorchRunner runs a fake peer (a shell script standing in for python + torch_bench.py) to
// check the arguments and environment the harness passes and the parsing of its JSON line.
func TestTorchRunner(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "fake_torch.sh")
	body := `#!/bin/sh
[ "$OPENBLAS_NUM_THREADS" = 1 ] || { echo "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS" >&2; exit 3; }
[ "$OPENBLAS_CORETYPE" = Haswell ] || { echo "no coretype" >&2; exit 3; }
[ "$*" = "--workload mlp --batch 128 --steps 3 --seconds 2.5 --warmup 4 --threads 2" ] || { echo "args: $*" >&2; exit 3; }
echo "some warning"
echo '{"samples_per_sec": 1234.5, "steps": 40, "seconds": 4.1, "peak_rss_mb": 9, "threads": 2, "torch_version": "1.13", "openblas_core": "SkylakeX"}'
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	r := procRunner{python: "/bin/sh", script: script, env: []string{"OPENBLAS_NUM_THREADS=1", "OPENBLAS_CORETYPE=Haswell"}}
	w := Workload{Name: "mlp", SamplesPerStep: 128, TorchName: "mlp"}
	s, err := r.torch(context.Background(), w, plan{warmup: 4, minSteps: 3, minSeconds: 2.5}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.SamplesPerSec != 1234.5 || s.Steps != 40 || s.Threads != 2 || s.OpenBLASCore != "SkylakeX" || s.PeakRSSMB <= 0 {
		t.Errorf("torch sample = %+v", s)
	}
	r.env = []string{"OPENBLAS_NUM_THREADS=1"}
	if _, err := r.torch(context.Background(), w, plan{warmup: 4, minSteps: 3, minSeconds: 2.5}, 2); err == nil ||
		!strings.Contains(err.Error(), "no coretype") {
		t.Errorf("failing peer: error %v, want its stderr quoted", err)
	}
}

func TestFindTorchMissing(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "torch_bench.py")
	if err := os.WriteFile(script, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	info := findTorch(context.Background(), filepath.Join(dir, "no-python3"), script, nil)
	if info.Available || !strings.Contains(info.Note, "scripts/install-torch") {
		t.Errorf("findTorch with no python = %+v, want unavailable with a note naming scripts/install-torch", info)
	}
	info = findTorch(context.Background(), "/bin/false", script, nil)
	if info.Available || !strings.Contains(info.Note, "/bin/false (no torch)") {
		t.Errorf("findTorch with a python lacking torch = %+v", info)
	}
}
