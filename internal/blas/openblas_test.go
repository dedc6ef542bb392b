//go:build openblas

package blas

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const helperEnv = "LOGITLAB_BLAS_TEST_HELPER"

// TestHelperProcess is the program that TestEnsureCore runs: EnsureCore, then Init, then one line.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestEnsureCore")
	}
	if _, err := EnsureCore(os.Args); err != nil {
		fmt.Println("ERR", err)
	}
	info := Init()
	fmt.Printf("INFO core=%s threads=%d note=%s\n", info.Core, info.Threads, info.Note)
	os.Exit(0)
}

func runHelper(t *testing.T, extraEnv ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(withoutVars(os.Environ(), coreTypeEnv, markerEnv, threadTimeoutEnv), helperEnv+"=1")
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "INFO ") || strings.HasPrefix(line, "ERR ") {
			return line
		}
	}
	t.Fatalf("helper printed no INFO line:\n%s", out)
	return ""
}

func TestEnsureCore(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want []string // substrings of the helper's INFO line
	}{
		// Whatever OpenBLAS picks by itself, after EnsureCore it is not a generic core when the
		// CPU has AVX2 (on this VM OpenBLAS 0.3.21 picks SkylakeX itself), and the re-exec set the
		// thread timeout.
		{"no user settings", nil, []string{"INFO core=", "OPENBLAS_THREAD_TIMEOUT=4"}},
		{"user timeout: no re-exec", []string{threadTimeoutEnv + "=7"}, []string{"INFO core="}},
		{"user core wins", []string{coreTypeEnv + "=Haswell"}, []string{"core=Haswell", "set by the user"}},
		// As if we had re-executed with Haswell: the child verifies and keeps it.
		{"forced core verified", []string{coreTypeEnv + "=Haswell", markerEnv + "=Haswell"}, []string{"core=Haswell", "self-check passed"}},
		// A forced core that OpenBLAS does not load fails verification: EnsureCore re-executes
		// with the user's environment and the fix disabled, and the note says so.
		{"failed check reverts", []string{coreTypeEnv + "=NoSuchCore", markerEnv + "=NoSuchCore"}, []string{"NoSuchCore did not load or failed the SGEMM self-check"}},
		{"fix disabled", []string{markerEnv + "=off:SkylakeX"}, []string{"failed the SGEMM self-check"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runHelper(t, tc.env...)
			t.Log(got)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("helper = %q, want it to contain %q", got, w)
				}
			}
			if bestCore(hostFeatures()) != "" && tc.env == nil {
				if core := strings.Fields(strings.TrimPrefix(got, "INFO core="))[0]; isGenericCore(core) {
					t.Errorf("core %s is generic on a CPU with AVX2", core)
				}
			}
		})
	}
}

func TestNote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		core string
		want string
	}{
		{map[string]string{threadTimeoutEnv: "4"}, "SkylakeX", ""},
		{nil, "SkylakeX", "idle OpenBLAS threads spin"},
		{map[string]string{threadTimeoutEnv: "4"}, "Prescott", "call blas.EnsureCore"},
		{map[string]string{coreTypeEnv: "SkylakeX", markerEnv: "SkylakeX", threadTimeoutEnv: "4"}, "SkylakeX", "self-check passed); OPENBLAS_THREAD_TIMEOUT=4"},
		{map[string]string{coreTypeEnv: "SkylakeX", markerEnv: "SkylakeX"}, "Prescott", "ignored"},
		{map[string]string{coreTypeEnv: "Zen", threadTimeoutEnv: "4"}, "Zen", "set by the user"},
		{map[string]string{markerEnv: "done", threadTimeoutEnv: "4"}, "SkylakeX", "OPENBLAS_THREAD_TIMEOUT=4"},
	} {
		got := note(envOf(tc.env), tc.core, features{avx512: true, avx2: true})
		if (tc.want == "" && got != "") || !strings.Contains(got, tc.want) {
			t.Errorf("note(%v, %s) = %q, want it to contain %q", tc.env, tc.core, got, tc.want)
		}
	}
}

// TestSerialOpenBLAS checks Serial on the real library: one thread inside, the old count after.
func TestSerialOpenBLAS(t *testing.T) {
	impl := newOpenBLAS()
	before := openblasThreads()
	setOpenblasThreads(2)
	defer setOpenblasThreads(before)
	var inside int
	impl.Serial(func() { inside = openblasThreads() })
	if inside != 1 {
		t.Fatalf("inside Serial OpenBLAS runs %d threads, want 1", inside)
	}
	if got := openblasThreads(); got != 2 {
		t.Fatalf("after Serial OpenBLAS runs %d threads, want 2 again", got)
	}
}
