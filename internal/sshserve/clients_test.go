package sshserve_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ---- the OpenSSH client ----

// needSSH skips the test when Debian's OpenSSH client is missing (scripts/setup installs it).
func needSSH(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no ssh client on PATH: install openssh-client (scripts/setup does) to run the end-to-end SSH tests")
	}
	return path
}

// sshArgs are the OpenSSH options for logging in with the identity file id (a name of testKeys or
// a path), ignoring the user's own config, agent and known hosts; extra goes before the
// destination, remote after it.
func (f *fixture) sshArgs(id string, extra []string, remote ...string) []string {
	var ids []string
	for _, one := range strings.Split(id, ",") {
		if p, ok := f.keyPaths[one]; ok {
			one = p
		}
		ids = append(ids, "-i", one)
	}
	args := append([]string{"-F", "/dev/null", "-p", f.port}, ids...)
	args = append(args,
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
		"-o", "PreferredAuthentications=publickey",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+f.knownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
	)
	args = append(args, extra...)
	return append(append(args, "tester@"+f.host), remote...)
}

func (f *fixture) sshEnv() []string {
	return []string{"HOME=" + f.dir, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
}

// runSSH runs ssh (not in a terminal) with options extra and the remote command remote, and returns
// its combined output and exit code.
func (f *fixture) runSSH(id string, extra []string, remote ...string) (string, int) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, needSSH(f.t), f.sshArgs(id, extra, remote...)...)
	cmd.Env = f.sshEnv()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	f.t.Fatalf("ssh: %v\n%s", err, out)
	return "", -1
}

// term is a client session whose output is captured and replayed on an emulated screen.
type term struct {
	t      *testing.T
	mu     sync.Mutex
	out    []byte
	w, h   int
	input  io.Writer
	exited chan struct{} // closed when the client is gone
	code   int           // exit code, valid after exited
}

func (c *term) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.out = append(c.out, b...)
	c.mu.Unlock()
	return len(b), nil
}

func (c *term) bytesSoFar() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out)
}

func (c *term) screen() string {
	c.mu.Lock()
	w, h := c.w, c.h
	c.mu.Unlock()
	return screenOf(c.bytesSoFar(), w, h)
}

// press types keys into the session.
func (c *term) press(keys string) {
	c.t.Helper()
	if _, err := io.WriteString(c.input, keys); err != nil {
		c.t.Fatalf("typing %q: %v", keys, err)
	}
}

// waitScreen waits until the screen contains all of want.
func (c *term) waitScreen(want ...string) {
	c.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		s := c.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("screen does not show %q after %v; it shows:\n%s", missing, waitLimit, s)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitExit waits for the client to end and returns its exit code.
func (c *term) waitExit() int {
	c.t.Helper()
	select {
	case <-c.exited:
		return c.code
	case <-time.After(waitLimit):
		c.t.Fatalf("client still running after %v; screen:\n%s", waitLimit, c.screen())
		return -1
	}
}

// openSSH starts OpenSSH's client with key name in a w×h pseudo-terminal, as a person would.
func (f *fixture) openSSH(name string, w, h int) (*term, *exec.Cmd, *os.File) {
	f.t.Helper()
	cmd := exec.Command(needSSH(f.t), f.sshArgs(name, []string{"-t"})...)
	cmd.Env = f.sshEnv()
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		f.t.Fatalf("start ssh in a pty: %v", err)
	}
	c := &term{t: f.t, w: w, h: h, input: ptmx, exited: make(chan struct{})}
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(c, ptmx); close(copied) }() // ends with EIO once ssh is gone
	go func() {
		_ = cmd.Wait()
		c.code = cmd.ProcessState.ExitCode()
		<-copied // everything ssh wrote has been read
		close(c.exited)
	}()
	f.t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = cmd.Process.Kill()
			<-c.exited
		}
		_ = ptmx.Close()
	})
	return c, cmd, ptmx
}

// resize changes the pty's size; ssh sees SIGWINCH and tells the server.
func (c *term) resize(ptmx *os.File, w, h int) {
	c.t.Helper()
	c.mu.Lock()
	c.w, c.h = w, h
	c.mu.Unlock()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		c.t.Fatal(err)
	}
}

// ---- the Go client (golang.org/x/crypto/ssh), for what OpenSSH will not do: misbehave ----

func (f *fixture) dial(signers ...gossh.Signer) (*gossh.Client, error) {
	hostKeys, err := knownhosts.New(f.knownHosts)
	if err != nil {
		f.t.Fatal(err)
	}
	return gossh.Dial("tcp", f.srv.Addr().String(), &gossh.ClientConfig{
		User:            "tester",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signers...)},
		HostKeyCallback: hostKeys,
		Timeout:         5 * time.Second,
	})
}

// openGo opens a session with a w×h pty on client.
func (f *fixture) openGo(client *gossh.Client, w, h int) (*term, *gossh.Session) {
	f.t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	c := &term{t: f.t, w: w, h: h, exited: make(chan struct{})}
	sess.Stdout, sess.Stderr = c, c
	if c.input, err = sess.StdinPipe(); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		f.t.Fatal(err)
	}
	go func() {
		err := sess.Wait()
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			c.code = ee.ExitStatus()
		} else if err != nil {
			c.code = -1
		}
		close(c.exited)
	}()
	f.t.Cleanup(func() { _ = sess.Close(); _ = client.Close() })
	return c, sess
}

// forger offers a public key it cannot sign for: its signatures are well-formed garbage.
type forger struct{ pub gossh.PublicKey }

func (s forger) PublicKey() gossh.PublicKey { return s.pub }

func (s forger) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	return &gossh.Signature{Format: s.pub.Type(), Blob: make([]byte, ed25519.SignatureSize)}, nil
}
