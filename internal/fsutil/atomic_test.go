package fsutil

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var errInjected = errors.New("injected failure")

// faultyFile wraps a real temp file and fails the named step.
type faultyFile struct {
	*os.File
	fail string // "write", "chmod", "sync", "close"
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if f.fail == "write" {
		n, _ := f.File.Write(p[:len(p)/2]) // a short write really lands half the bytes
		return n, errInjected
	}
	return f.File.Write(p)
}

func (f *faultyFile) Chmod(m fs.FileMode) error {
	if f.fail == "chmod" {
		return errInjected
	}
	return f.File.Chmod(m)
}

func (f *faultyFile) Sync() error {
	if f.fail == "sync" {
		return errInjected
	}
	return f.File.Sync()
}

func (f *faultyFile) Close() error {
	err := f.File.Close()
	if f.fail == "close" {
		return errInjected
	}
	return err
}

func faultyOps(step string) ops {
	o := realOps()
	o.createTemp = func(dir, pattern string) (tempFile, error) {
		if step == "create" {
			return nil, errInjected
		}
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &faultyFile{File: f, fail: step}, nil
	}
	if step == "rename" {
		o.rename = func(string, string) error { return errInjected }
	}
	if step == "syncdir" {
		o.syncDir = func(string) error { return errInjected }
	}
	return o
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	for i, data := range [][]byte{[]byte("first"), {}, bytes.Repeat([]byte("x"), 1<<20)} {
		perm := fs.FileMode(0o600)
		if i == 1 {
			perm = 0o644
		}
		if err := WriteFileAtomic(path, data, perm); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("write %d: read back %d bytes, want %d", i, len(got), len(data))
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != perm {
			t.Errorf("write %d: mode %v, want %v", i, st.Mode().Perm(), perm)
		}
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "results.json" {
		t.Errorf("directory holds %q, want only results.json", names)
	}
}

// TestWriteAtomicFailureKeepsOldFile injects a failure at each step and checks
// that the old contents survive and no temp file is left behind.
func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		step        string
		wantNew     bool // the failure comes after the rename
		wantErrText string
	}{
		{"create", false, "create temp file"},
		{"write", false, "injected"},
		{"chmod", false, "set mode"},
		{"sync", false, "fsync"},
		{"close", false, "close"},
		{"rename", false, "rename temp file"},
		{"syncdir", true, "contents replaced, but"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "ckpt.bin")
			if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := faultyOps(tc.step).writeAtomic(path, 0o600, func(w io.Writer) error {
				_, err := w.Write([]byte("new contents, longer than the old"))
				return err
			})
			if !errors.Is(err, errInjected) {
				t.Fatalf("err = %v, want it to wrap the injected failure", err)
			}
			if !strings.Contains(err.Error(), tc.wantErrText) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %q, want it to name %q and %q", err, path, tc.wantErrText)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			want := "old contents"
			if tc.wantNew {
				want = "new contents, longer than the old"
			}
			if string(got) != want {
				t.Errorf("file holds %q, want %q", got, want)
			}
			if names := dirNames(t, dir); len(names) != 1 {
				t.Errorf("directory holds %q, want only ckpt.bin", names)
			}
		})
	}
}

func TestWriteAtomicCallbackError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteAtomic(path, 0o644, func(w io.Writer) error {
		_, _ = w.Write([]byte("partial"))
		return errInjected
	})
	if !errors.Is(err, errInjected) {
		t.Fatalf("err = %v, want injected", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "keep" {
		t.Errorf("file holds %q, want %q", got, "keep")
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q, want only log", names)
	}
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "f")
	err := WriteFileAtomic(path, []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestSyncDir(t *testing.T) {
	t.Parallel()
	if err := SyncDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	err := SyncDir(filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}
