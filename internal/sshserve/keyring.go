package sshserve

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// keyring is the authorized_keys file as last read. Every lookup checks the file's size and
// modification time and re-reads it when they changed, so keys added or removed apply to the next
// login without a restart. Problems are logged once per read, not once per login attempt.
type keyring struct {
	path   string
	logger *slog.Logger

	mu      sync.Mutex
	size    int64
	modTime time.Time
	byKey   map[string]AuthorizedKey // marshalled public key → entry
	loadErr error                    // the file could not be read: nobody gets in
}

// openKeyring reads path once; it fails when the file cannot be read at all. It returns the problems
// found so the caller can print them at start.
func openKeyring(path string, logger *slog.Logger) (*keyring, []*KeyLineError, error) {
	kr := &keyring{path: path, logger: logger}
	problems, err := kr.reload()
	if err != nil {
		return nil, nil, err
	}
	return kr, problems, nil
}

// reload re-reads the file if it changed since the last read. Callers hold no lock.
func (kr *keyring) reload() ([]*KeyLineError, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	st, err := os.Stat(kr.path)
	if err != nil {
		kr.byKey, kr.loadErr = nil, fmt.Errorf("read authorized keys: %w", err)
		kr.size, kr.modTime = -1, time.Time{}
		return nil, kr.loadErr
	}
	if kr.byKey != nil && st.Size() == kr.size && st.ModTime().Equal(kr.modTime) {
		return nil, nil
	}
	if !st.Mode().IsRegular() {
		kr.byKey, kr.loadErr = nil, fmt.Errorf("read authorized keys: %s is not a regular file", kr.path)
		return nil, kr.loadErr
	}
	f, err := os.Open(kr.path)
	if err != nil {
		kr.byKey, kr.loadErr = nil, fmt.Errorf("read authorized keys: %w", err)
		return nil, kr.loadErr
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	_ = f.Close()
	if err != nil {
		kr.byKey, kr.loadErr = nil, fmt.Errorf("read authorized keys %s: %w", kr.path, err)
		return nil, kr.loadErr
	}
	keys, problems := ParseAuthorizedKeys(kr.path, data)
	if st.Mode().Perm()&0o022 != 0 {
		problems = append(problems, &KeyLineError{Path: kr.path, Msg: fmt.Sprintf(
			"the file is writable by group or others (mode %v): anyone who can write it can let themselves in; run chmod 600 %s", st.Mode().Perm(), kr.path)})
	}
	kr.byKey = make(map[string]AuthorizedKey, len(keys))
	for _, k := range keys {
		kr.byKey[string(k.Key.Marshal())] = k
	}
	kr.size, kr.modTime, kr.loadErr = st.Size(), st.ModTime(), nil
	kr.logger.Info("ssh: authorized keys loaded", "path", kr.path, "keys", len(keys), "skipped_lines", len(problems))
	for _, p := range problems {
		kr.logger.Warn("ssh: " + p.Error())
	}
	return problems, nil
}

// lookup returns the entry for pk from the file as it is now. A file that cannot be read lets
// nobody in.
func (kr *keyring) lookup(pk gossh.PublicKey) (AuthorizedKey, bool) {
	if pk == nil {
		return AuthorizedKey{}, false
	}
	if _, err := kr.reload(); err != nil {
		kr.logger.Error("ssh: nobody can log in until this is fixed", "err", err)
		return AuthorizedKey{}, false
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	k, ok := kr.byKey[string(pk.Marshal())]
	return k, ok
}

// errNoKeysFile explains why the server will not start without a keys file.
var errNoKeysFile = errors.New("sshserve: no authorized_keys file")
