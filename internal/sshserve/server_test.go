package sshserve_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/logitlab/logitlab/internal/sshserve"
	"github.com/logitlab/logitlab/tui"
)

// An unknown key is refused at authentication: no session, no screen.
func TestUnknownKeyRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, code := f.runSSH("stranger", []string{"-T"})
	if code != 255 || !strings.Contains(out, "Permission denied (publickey)") {
		t.Fatalf("stranger: exit %d, output %q; want 255 and Permission denied (publickey)", code, out)
	}
	// A key on a line with an option we do not enforce (no-pty) is refused too, not widened.
	if out, code := f.runSSH("restricted", []string{"-T"}); code != 255 {
		t.Fatalf("restricted key: exit %d, output %q; want 255", code, out)
	}
	if n := f.srv.Sessions(); n != 0 {
		t.Errorf("Sessions() = %d after refused logins, want 0", n)
	}
}

// A malformed line (and an unsupported option) in the keys file is reported with its line number
// and skipped; the valid keys still get in.
func TestMalformedKeyLineDoesNotLockOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var lines []int
	for _, p := range f.srv.KeyProblems() {
		lines = append(lines, p.Line)
	}
	if len(lines) != 2 || lines[0] != 2 || lines[1] != 4 {
		t.Errorf("KeyProblems lines = %v, want [2 4] (the garbage line and the no-pty line)", lines)
	}
	// Authenticated, then turned away by activeterm for lack of a terminal: proof the key got in.
	out, code := f.runSSH("viewer", []string{"-T"})
	if code != 1 || !strings.Contains(out, "Requires an active PTY") {
		t.Fatalf("viewer -T: exit %d, output %q; want 1 and the PTY message", code, out)
	}
	out, code = f.runSSH("controller", []string{"-tt"}, "ls", "/")
	if code != 1 || !strings.Contains(out, "runs no commands") {
		t.Fatalf("controller with a command: exit %d, output %q; want 1 and the no-commands message", code, out)
	}
}

// A viewer sees the lab and its command keys are refused visibly; a controller's lr change reaches
// the run and shows in the viewer's session; the viewer follows a window resize.
func TestViewerAndController(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	viewer, _, vpty := f.openSSH("viewer", 100, 30)
	viewer.waitScreen("ssh viewer@test (viewer)", "running", f.run.ID(), fmtLR(0.1))

	viewer.press("+")
	viewer.waitScreen("read-only session: lr change refused")
	viewer.press("p")
	viewer.waitScreen("read-only session: pause refused")
	if lr := f.lr(); lr != 0.1 {
		t.Fatalf("after the viewer's +, the run's lr = %v, want 0.1", lr)
	}

	ctl, _, _ := f.openSSH("controller", 120, 40)
	ctl.waitScreen("ssh controller@test (controller)", fmtLR(0.1))
	eventually(t, "two subscribers", func() bool { return f.lab.Subscribers() == 2 })
	ctl.press("+")
	ctl.waitScreen("lr is now 0.2")
	if lr := f.lr(); lr != 0.2 {
		t.Fatalf("after the controller's +, the run's lr = %v, want 0.2", lr)
	}
	viewer.waitScreen(fmtLR(0.2))
	ctl.press("p")
	viewer.waitScreen("paused")

	viewer.resize(vpty, 50, 12)
	viewer.waitScreen("terminal too small (50×12)")
	viewer.resize(vpty, 90, 25)
	viewer.waitScreen("ssh viewer@test (viewer)", "paused", fmtLR(0.2))

	ctl.press("q")
	if code := ctl.waitExit(); code != 0 {
		t.Errorf("controller quit with exit code %d, want 0", code)
	}
	eventually(t, "the controller's subscription to be released", func() bool { return f.lab.Subscribers() == 1 })
}

// A client offering the controller's public key without being able to sign for it gets nothing;
// one that offers it and then signs with the viewer's key is only a viewer: the role comes from the
// key that signed, never from keys merely offered (CVE-2024-45337 class).
func TestOfferedKeyGrantsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctlSigner, _ := signerFor(t, "controller")
	if c, err := f.dial(forger{ctlSigner.PublicKey()}); err == nil {
		c.Close()
		t.Fatal("a client that cannot sign for the controller's key logged in")
	}
	eventually(t, "the server to log the bad signature", func() bool {
		return strings.Contains(f.logs.String(), "signature did not verify")
	})

	// OpenSSH given only the controller's public key offers it (the server answers "this key would
	// do"), cannot sign, and goes on to the viewer's key, which it can sign with.
	pubOnly := filepath.Join(t.TempDir(), "controller.pub")
	if err := os.WriteFile(pubOnly, gossh.MarshalAuthorizedKey(ctlSigner.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := f.runSSH(pubOnly+",viewer", []string{"-T", "-v"})
	if !strings.Contains(out, "Server accepts key: "+pubOnly) || !strings.Contains(out, "Authenticated to") {
		t.Fatalf("the offer-then-switch login did not go as planned; ssh -v said:\n%s", out)
	}
	s, _, _ := f.openSSH(pubOnly+",viewer", 100, 30)
	s.waitScreen("ssh viewer@test (viewer)")
	s.press("+")
	s.waitScreen("read-only session: lr change refused")
	if lr := f.lr(); lr != 0.1 {
		t.Fatalf("the run's lr = %v after a viewer's +, want 0.1", lr)
	}
	if strings.Contains(f.logs.String(), "role=controller") {
		t.Errorf("the server log shows a controller session:\n%s", f.logs.String())
	}
}

// kill -9 of the ssh client: the server notices, the session ends and its lab subscription is
// released (the issue allows 5 s; the wait below fails only after waitLimit).
func TestKilledClientReleasesSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c, cmd, _ := f.openSSH("viewer", 80, 24)
	c.waitScreen("ssh viewer@test (viewer)")
	eventually(t, "one session", func() bool { return f.srv.Sessions() == 1 && f.lab.Subscribers() == 1 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.exited
	start := time.Now()
	eventually(t, "the session to end", func() bool { return f.srv.Sessions() == 0 && f.lab.Subscribers() == 0 })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("session released %v after kill -9, want within 5s", d)
	}
}

// panicky is a session model that panics when "!" is pressed.
type panicky struct{ tea.Model }

func (m panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "!" {
		panic("test: deliberate panic in Update")
	}
	inner, cmd := m.Model.Update(msg)
	return panicky{inner}, cmd
}

// A panic in one session's TUI ends that session with a message; the other session and the server
// go on.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(s *setup) {
		s.newModel = func(ctx context.Context, p tui.Params) tea.Model { return panicky{tui.New(ctx, p)} }
	})
	bystander, _, _ := f.openSSH("viewer", 80, 24)
	bystander.waitScreen("ssh viewer@test (viewer)")
	victim, _, _ := f.openSSH("controller", 80, 24)
	victim.waitScreen("ssh controller@test (controller)")

	victim.press("!")
	if code := victim.waitExit(); code != 1 {
		t.Errorf("panicked session exit code %d, want 1", code)
	}
	if out := string(victim.bytesSoFar()); !strings.Contains(out, "your session hit an internal error") {
		t.Errorf("the panicked session did not get the message; it got:\n%q", tail(out, 400))
	}
	eventually(t, "the victim's session to end", func() bool { return f.srv.Sessions() == 1 && f.lab.Subscribers() == 1 })

	bystander.press("+") // still served: its key is answered
	bystander.waitScreen("read-only session: lr change refused")
	again, _, _ := f.openSSH("controller", 80, 24) // and the server takes new sessions
	again.waitScreen("ssh controller@test (controller)")
}

// A late joiner sees the whole history of a run that has already finished.
func TestLateJoinerSeesHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(s *setup) { s.counter.Steps, s.counter.Delay = 40, 0 })
	<-f.run.Done()
	c, _, _ := f.openSSH("viewer", 100, 30)
	c.waitScreen("finished", "step 40/40")
}

// Limits: a session beyond MaxSessions is told the server is full; a connection beyond the
// per-address burst is closed before the handshake.
func TestSessionAndConnectionLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(s *setup) { s.params.MaxSessions, s.params.ConnBurst, s.params.ConnPerMinute = 2, 2, 1 })
	viewer, _ := signerFor(t, "viewer")
	c1, err := f.dial(viewer)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // two sessions on one connection: the cap counts sessions
		s, _ := f.openGo(c1, 80, 24)
		s.waitScreen("ssh viewer@test (viewer)")
	}
	c2, err := f.dial(viewer)
	if err != nil {
		t.Fatalf("second connection (within the burst of 2): %v", err)
	}
	third, _ := f.openGo(c2, 80, 24)
	if code := third.waitExit(); code != 1 || !strings.Contains(string(third.bytesSoFar()), "the server is full") {
		t.Errorf("third session: exit %d, output %q; want 1 and the server-full message", code, third.bytesSoFar())
	}
	if _, err := f.dial(viewer); err == nil {
		t.Error("a third connection within a minute (burst 2, 1 per minute) was let in")
	}
	eventually(t, "the log to say why the third connection was refused", func() bool {
		return strings.Contains(f.logs.String(), "connection rate limit for 127.0.0.1")
	})
}

// Keys added to or removed from the file apply to the next login, without a restart.
func TestKeysFileReloaded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stranger, _ := signerFor(t, "stranger")
	if _, err := f.dial(stranger); err == nil {
		t.Fatal("stranger got in before being listed")
	}
	path := filepath.Join(f.dir, "authorized_keys")
	if err := os.WriteFile(path, []byte(keysFile(t)+"logitlab-role=controller "+authorizedLine(t, "stranger")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := f.dial(stranger)
	if err != nil {
		t.Fatalf("stranger after being listed: %v", err)
	}
	s, _ := f.openGo(c, 80, 24)
	s.waitScreen("ssh stranger@test (controller)")
	if err := os.WriteFile(path, []byte(authorizedLine(t, "viewer")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := f.dial(stranger); err == nil {
		c.Close()
		t.Fatal("stranger got in after being removed")
	}
}

// Stopping the server ends every session with a goodbye and Serve returns.
func TestShutdownSaysGoodbye(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	viewer, _ := signerFor(t, "viewer")
	c, err := f.dial(viewer)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.openGo(c, 80, 24)
	s.waitScreen("ssh viewer@test (viewer)")
	if err := f.stopServer(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	s.waitExit()
	if out := string(s.bytesSoFar()); !strings.Contains(out, "the server is shutting down") {
		t.Errorf("session output does not say goodbye: %q", tail(out, 300))
	}
	if f.srv.Sessions() != 0 || f.lab.Subscribers() != 0 {
		t.Errorf("after Serve returned: %d sessions, %d subscribers; want 0, 0", f.srv.Sessions(), f.lab.Subscribers())
	}
}

// No keys file: the server refuses to start and says why, louder off loopback.
func TestRefusesToStartWithoutKeysFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := newLab(t, dir)
	for _, tc := range []struct {
		addr, want string
	}{
		{"127.0.0.1:0", "logins need a listed public key"},
		{"0.0.0.0:0", "refusing to listen on 0.0.0.0:0, which is reachable from other machines"},
		{":0", "refusing to listen"},
	} {
		_, err := sshserve.New(sshserve.Params{Lab: l, Addr: tc.addr, HostKeyPath: filepath.Join(dir, "hk"),
			AuthorizedKeys: filepath.Join(dir, "missing")})
		if !errors.Is(err, sshserve.ErrNoKeysFile) || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "logitlab-role=controller") {
			t.Errorf("New(%s) without keys file: %v; want ErrNoKeysFile saying %q and how to make one", tc.addr, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "hk")); err == nil {
		t.Error("a refused start created a host key")
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:2222", true},
		{"127.0.0.2:1", true},
		{"[::1]:2222", true},
		{"localhost:2222", true},
		{"0.0.0.0:2222", false},
		{":2222", false},
		{"[::]:2222", false},
		{"192.168.1.5:22", false},
	} {
		got, err := sshserve.IsLoopback(tc.addr)
		if err != nil || got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, %v; want %v", tc.addr, got, err, tc.want)
		}
	}
	if _, err := sshserve.IsLoopback("no-port"); err == nil {
		t.Error("IsLoopback(no-port): no error")
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// A server that is made but never served releases its port on Close.
func TestCloseWithoutServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, []byte(authorizedLine(t, "viewer")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := sshserve.Params{Lab: newLab(t, dir), Addr: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "hk"), AuthorizedKeys: keys}
	srv, err := sshserve.New(p)
	if err != nil {
		t.Fatal(err)
	}
	p.Addr = srv.Addr().String()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sshserve.New(p)
	if err != nil {
		t.Fatalf("New on the closed server's address: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

// The idle timeout closes a connection with no traffic (a finished run draws nothing new); the
// maximum session time closes one however busy it is.
func TestTimeouts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  fixtureOpt
	}{
		{"idle", func(s *setup) { s.counter.Steps, s.counter.Delay, s.params.IdleTimeout = 5, 0, 300*time.Millisecond }},
		{"max session", func(s *setup) { s.params.MaxSession = 700 * time.Millisecond }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.opt)
			viewer, _ := signerFor(t, "viewer")
			c, err := f.dial(viewer)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := f.openGo(c, 80, 24)
			s.waitScreen("ssh viewer@test (viewer)")
			s.waitExit()
			eventually(t, "the session to be released", func() bool { return f.srv.Sessions() == 0 && f.lab.Subscribers() == 0 })
		})
	}
}
