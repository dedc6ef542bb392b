package fsutil

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// tempFile is the part of *os.File that an atomic write uses; tests wrap it
// to inject failures at each step.
type tempFile interface {
	io.Writer
	Name() string
	Chmod(mode fs.FileMode) error
	Sync() error
	Close() error
}

// ops are the file-system calls an atomic write makes. The zero value is not
// usable; realOps returns the operating system's.
type ops struct {
	createTemp func(dir, pattern string) (tempFile, error)
	rename     func(oldpath, newpath string) error
	syncDir    func(dir string) error
}

func realOps() ops {
	return ops{
		createTemp: func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) },
		rename:     os.Rename,
		syncDir:    SyncDir,
	}
}

// WriteFileAtomic replaces path with data so that readers see the old file or
// the new one, never a mix, even if the process dies or the machine loses
// power mid-write. The file gets exactly perm (the umask is not applied).
// On an error before the rename, path is unchanged and no temp file remains.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return realOps().writeAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic is WriteFileAtomic for contents produced by write, which
// streams them into the temp file; large files need not fit in memory.
// If write returns an error, path is unchanged and the error is returned.
func WriteAtomic(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	return realOps().writeAtomic(path, perm, write)
}

func (o ops) writeAtomic(path string, perm fs.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := o.createTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: create temp file: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil && tmp != "" {
			_ = os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		err = fmt.Errorf("write %s: %w", path, err)
	} else if err = f.Chmod(perm); err != nil {
		err = fmt.Errorf("write %s: set mode %v: %w", path, perm, err)
	} else if err = f.Sync(); err != nil {
		err = fmt.Errorf("write %s: fsync: %w", path, err)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: close: %w", path, cerr)
	}
	if err != nil {
		return err
	}
	if err = o.rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: rename temp file into place: %w", path, err)
	}
	tmp = "" // renamed: nothing left to clean up
	if serr := o.syncDir(dir); serr != nil {
		// The new contents are in place; only their durability is in doubt.
		return fmt.Errorf("write %s: contents replaced, but %w", path, serr)
	}
	return nil
}

// SyncDir fsyncs the directory dir so that entries created, renamed or removed
// in it survive a power loss.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("fsync directory %s: close: %w", dir, err)
	}
	return nil
}
