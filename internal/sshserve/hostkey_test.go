package sshserve_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/logitlab/logitlab/internal/sshserve"
)

func TestHostKeyCreatedOnceAndKept(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, sshserve.HostKeyFile)
	s1, created, err := sshserve.LoadOrCreateHostKey(path)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v; want a new key", created, err)
	}
	if s1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s, want ed25519", s1.PublicKey().Type())
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, st.Mode().Perm(), err, want)
		}
	}
	before, _ := os.ReadFile(path)
	s2, created, err := sshserve.LoadOrCreateHostKey(path)
	if err != nil || created || gossh.FingerprintSHA256(s2.PublicKey()) != gossh.FingerprintSHA256(s1.PublicKey()) {
		t.Fatalf("second start: created=%v err=%v, same key %v; want the same key, not a new one",
			created, err, err == nil && gossh.FingerprintSHA256(s2.PublicKey()) == gossh.FingerprintSHA256(s1.PublicKey()))
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the host key file changed on the second start")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

func TestHostKeyRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "", 0o644, "chmod 600"},
		{"not a key: never overwritten", "not a key\n", 0o600, "move the file away"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), sshserve.HostKeyFile)
			content := tc.content
			if content == "" {
				if _, _, err := sshserve.LoadOrCreateHostKey(path); err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(path)
				content = string(b)
			}
			if err := os.WriteFile(path, []byte(content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			if _, _, err := sshserve.LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadOrCreateHostKey: %v; want an error saying %q", err, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Error("the refused key file was changed")
			}
		})
	}
}

// fakeClock is a settable clock for the limiter.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func tcp(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000} }

func TestConnLimiter(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	l := sshserve.NewConnLimiter(60, 2, 3, clk.now) // 1 per second, burst 2, 3 open at most
	a, b := tcp("10.0.0.1"), tcp("10.0.0.2")
	steps := []struct {
		what    string
		addr    net.Addr
		advance time.Duration
		release int
		want    string // "" admitted, else a substring of the refusal
	}{
		{"a: first of the burst", a, 0, 0, ""},
		{"a: second of the burst", a, 0, 0, ""},
		{"a: burst spent", a, 0, 0, "rate limit for 10.0.0.1"},
		{"a: half a token later, still no", a, 500 * time.Millisecond, 0, "rate limit"},
		{"a: a token after 1 s", a, 500 * time.Millisecond, 0, ""},
		{"b: own bucket, but 3 connections are open", b, 0, 0, "too many open connections (3)"},
		{"b: after one closes", b, 0, 1, ""},
		{"a: buckets refill to the burst, no more", a, time.Hour, 2, ""},
		{"a: second after an hour", a, 0, 0, ""},
		{"a: third after an hour", a, 0, 1, "rate limit"},
	}
	for _, s := range steps {
		clk.t = clk.t.Add(s.advance)
		for range s.release {
			l.Release()
		}
		got := l.Admit(s.addr)
		if (s.want == "") != (got == "") || !strings.Contains(got, s.want) {
			t.Errorf("%s: Admit = %q, want %q", s.what, got, s.want)
		}
	}
}

func TestConnLimiterForgetsQuietAddresses(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	l := sshserve.NewConnLimiter(60, 1, 1000, clk.now)
	l.SetMaxAddrs(3)
	for i, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"} {
		if got := l.Admit(tcp(ip)); got != "" {
			t.Fatalf("%s: %q", ip, got)
		}
		if i == 2 {
			clk.t = clk.t.Add(2 * time.Second) // the first three refill: forgettable
		}
	}
	if n := l.Addrs(); n > 3 {
		t.Errorf("limiter remembers %d addresses, want at most 3", n)
	}
	if got := l.Admit(tcp("10.0.0.5")); !strings.Contains(got, "rate limit") {
		t.Errorf("a recent address was forgotten: Admit = %q", got)
	}
}
