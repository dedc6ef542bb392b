package sshserve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"

	"github.com/logitlab/logitlab/internal/fsutil"
)

// HostKeyFile is the host key's file name inside the state directory.
const HostKeyFile = "ssh_host_ed25519_key"

// LoadOrCreateHostKey returns the server's host key from path, creating an ed25519 key there first
// if there is no file. The directory is created with mode 0700 and the key written with mode 0600;
// an existing file is never overwritten (the key is linked into place, which fails if another
// process created one first, and then that one is used). A key file readable or writable by group
// or others is refused, as sshd refuses it. created reports whether the key is new.
func LoadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create host key folder (set ssh.state_dir to a writable folder): %w", err)
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if err := writeNewHostKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		} else if err == nil {
			created = true
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("read host key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, false, fmt.Errorf("host key %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("host key %s has mode %v: a private key must be readable by its owner only; run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read host key: %w", err)
	}
	signer, err = gossh.ParsePrivateKey(b)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w (move the file away to have a new key made)", path, err)
	}
	return signer, created, nil
}

// writeNewHostKey writes a fresh ed25519 key to a temp file (0600, fsynced) and hard-links it to
// path, so path is either absent or a complete key, and an existing path is never replaced.
func writeNewHostKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "logitlab ssh host key")
	if err != nil {
		return fmt.Errorf("encode host key: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write host key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(pem.EncodeToMemory(block))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write host key: %w", err)
	}
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("write host key: %w", err)
	}
	return fsutil.SyncDir(dir)
}
