package fsutil

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileAtomicRealWriteFailure makes a real write fail in a child
// process: with RLIMIT_FSIZE at 64 KiB, writing 1 MiB fails with EFBIG (Go
// ignores SIGXFSZ). The old file must survive and no temp file may remain.
func TestWriteFileAtomicRealWriteFailure(t *testing.T) {
	t.Parallel()
	if path := os.Getenv("FSUTIL_TEST_CHILD_PATH"); path != "" {
		t.Skip("child process runs TestChildWriteUnderFsizeLimit")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildWriteUnderFsizeLimit$", "-test.v")
	cmd.Env = append(os.Environ(), "FSUTIL_TEST_CHILD_PATH="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("child: write failed as expected")) {
		t.Fatalf("child did not report the expected failure:\n%s", out)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file holds %d bytes, want the old 3", len(got))
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only big.bin", names)
	}
}

// TestChildWriteUnderFsizeLimit is the child half of the test above; on its
// own it does nothing.
func TestChildWriteUnderFsizeLimit(t *testing.T) {
	path := os.Getenv("FSUTIL_TEST_CHILD_PATH")
	if path == "" {
		t.Skip("only runs as a child of TestWriteFileAtomicRealWriteFailure")
	}
	lim := syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
	err := WriteFileAtomic(path, make([]byte, 1<<20), 0o644)
	if !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("err = %v, want EFBIG", err)
	}
	t.Log("child: write failed as expected:", err)
}
