package sshserve_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/internal/sshserve"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/tui"
)

// waitLimit bounds every wait in these tests; conditions normally hold within a few frames.
const waitLimit = 15 * time.Second

// Test identities, made from fixed seeds so every run uses the same keys.
var testKeys = map[string]byte{"viewer": 1, "controller": 2, "stranger": 3, "restricted": 4}

func signerFor(t testing.TB, name string) (gossh.Signer, ed25519.PrivateKey) {
	t.Helper()
	seed := bytes.Repeat([]byte{testKeys[name]}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

func authorizedLine(t testing.TB, name string) string {
	s, _ := signerFor(t, name)
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + name + "@test"
}

// keysFile is the fixture's authorized_keys: a malformed first line and an unsupported option,
// which must be skipped without locking out the valid viewer and controller keys.
func keysFile(t testing.TB) string {
	return strings.Join([]string{
		"# test keys",
		"this line is not a key",
		authorizedLine(t, "viewer"),
		"no-pty " + authorizedLine(t, "restricted"),
		"logitlab-role=controller " + authorizedLine(t, "controller"),
		"",
	}, "\n")
}

// fixture is a server on 127.0.0.1:0 serving a lab with one Counter run going.
type fixture struct {
	t          *testing.T
	dir        string
	lab        *lab.Lab
	run        *lab.Run
	srv        *sshserve.Server
	host, port string
	knownHosts string
	keyPaths   map[string]string
	logs       *lockedBuffer
	stopServer func() error // stops Serve and returns its error; idempotent
}

// setup is what a fixtureOpt may change before the server starts.
type setup struct {
	params   *sshserve.Params
	counter  *labtest.Counter
	newModel func(ctx context.Context, p tui.Params) tea.Model // nil: tui.New
}

type fixtureOpt func(s *setup)

func newFixture(t *testing.T, opts ...fixtureOpt) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, keyPaths: map[string]string{}, logs: &lockedBuffer{}}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, []byte(keysFile(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	for name := range testKeys {
		_, priv := signerFor(t, name)
		block, err := gossh.MarshalPrivateKey(priv, name+"@test")
		if err != nil {
			t.Fatal(err)
		}
		f.keyPaths[name] = filepath.Join(dir, "id_"+name)
		if err := os.WriteFile(f.keyPaths[name], pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	counter := labtest.Counter{Steps: 1 << 40, Delay: 2 * time.Millisecond}
	p := sshserve.Params{
		Addr:           "127.0.0.1:0",
		HostKeyPath:    filepath.Join(dir, "state", sshserve.HostKeyFile),
		AuthorizedKeys: keys,
		Logger:         slog.New(slog.NewTextHandler(f.logs, nil)),
	}
	st := setup{params: &p, counter: &counter}
	for _, o := range opts {
		o(&st)
	}
	l, err := lab.New(lab.Params{RunsDir: filepath.Join(dir, "runs"), Experiments: []lab.Experiment{counter}, Logger: p.Logger})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopRuns := context.WithCancel(context.Background())
	f.lab = l
	p.Lab = l
	p.Start = func(_ context.Context, exp string, cfg config.Config) (*lab.Run, error) {
		return l.Start(runCtx, lab.Spec{Experiment: exp, Config: cfg})
	}
	if f.run, err = p.Start(context.Background(), "counter", config.Default()); err != nil {
		t.Fatal(err)
	}
	if f.srv, err = sshserve.New(p); err != nil {
		t.Fatal(err)
	}
	if st.newModel != nil {
		f.srv.SetNewModel(st.newModel)
	}
	f.host, f.port, _ = net.SplitHostPort(f.srv.Addr().String())
	f.writeKnownHosts(p.HostKeyPath)
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(serveCtx) }()
	var once sync.Once
	var serveErr error
	f.stopServer = func() error {
		once.Do(func() {
			stop()
			select {
			case serveErr = <-served:
			case <-time.After(waitLimit):
				serveErr = fmt.Errorf("Serve did not return within %v of cancel", waitLimit)
			}
		})
		return serveErr
	}
	t.Cleanup(func() {
		if err := f.stopServer(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		stopRuns()
		l.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", f.logs.String())
		}
	})
	return f
}

func (f *fixture) writeKnownHosts(hostKeyPath string) {
	b, err := os.ReadFile(hostKeyPath)
	if err != nil {
		f.t.Fatal(err)
	}
	hk, err := gossh.ParsePrivateKey(b)
	if err != nil {
		f.t.Fatal(err)
	}
	f.knownHosts = filepath.Join(f.dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(f.srv.Addr().String())}, hk.PublicKey())
	if err := os.WriteFile(f.knownHosts, []byte(line+"\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
}

// lr is the learning rate the fixture's run reports.
func (f *fixture) lr() float64 { return f.run.Info().Settings["lr"] }

// eventually waits until cond holds, failing the test with what after waitLimit.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func fmtLR(v float64) string { return fmt.Sprintf("lr %g", v) }

// newLab is a lab over dir/runs with the Counter experiment and no runs.
func newLab(t *testing.T, dir string) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: filepath.Join(dir, "runs"), Experiments: []lab.Experiment{labtest.Counter{Steps: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}
