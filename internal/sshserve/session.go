package sshserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/logitlab/logitlab/tui"
)

// Messages a session can end with (written to the client's stderr).
const (
	msgNotAuthorized = "logitlab: this key is not (or no longer) in the server's authorized_keys file"
	msgNoCommands    = "logitlab: the server runs no commands; connect with a plain ssh -p PORT HOST"
	msgPanicked      = "logitlab: your session hit an internal error and was closed; the server and the other sessions are still running. Reconnect to go on"
	msgShutdown      = "logitlab: the server is shutting down; its runs save a checkpoint and can be resumed"
)

// runTUI is the innermost middleware: it decides the session's role from the key that
// authenticated it and runs the session's own TUI on the shared lab until the user quits, the
// connection ends, or the server stops.
//
// It does what wish's bubbletea.MiddlewareWithProgramHandler does (program options from the
// session, window changes forwarded as tea.WindowSizeMsg) and also reads Program.Run's error, so
// that a panic in the TUI — which Bubble Tea catches, in Update, View or a command — ends this
// session with a message instead of a silent close.
func (s *Server) runTUI(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer next(sess)
		key, ok := s.keys.lookup(sess.PublicKey())
		if !ok {
			s.logger.Warn("ssh: session refused: key not listed", "addr", sess.RemoteAddr().String(), "key", fingerprint(sess.PublicKey()))
			wish.Fatalln(sess, msgNotAuthorized)
			return
		}
		if len(sess.RawCommand()) > 0 {
			wish.Fatalln(sess, msgNoCommands)
			return
		}
		_, winch, ok := sess.Pty()
		if !ok { // activeterm turns these away first; kept so this handler is safe on its own
			wish.Fatalln(sess, "logitlab: the lab needs a terminal; connect without -T")
			return
		}
		s.logger.Info("ssh: session authorized", "name", key.Name(), "role", key.Role.String(),
			"addr", sess.RemoteAddr().String(), "key", fingerprint(key.Key), "keys_line", key.Line)

		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		stopOnShutdown := context.AfterFunc(s.stopping, cancel)
		defer stopOnShutdown()

		header := fmt.Sprintf("ssh %s (%s)", key.Name(), key.Role)
		if s.p.Header != "" {
			header = s.p.Header + " · " + header
		}
		m := s.newModel(ctx, tui.Params{
			Lab:         s.p.Lab,
			User:        "ssh:" + key.Name(),
			ReadOnly:    key.Role != Controller,
			FPS:         s.p.FPS,
			Smoothing:   s.p.Smoothing,
			Header:      header,
			Start:       s.p.Start,
			Experiments: s.p.Experiments,
			Config:      s.p.Config,
			Theme:       s.p.Theme,
			NoColor:     noColor(sess.Environ()),
			Keys:        s.p.Keys,
		})
		opts := append(bm.MakeOptions(sess), tea.WithContext(ctx), tea.WithoutSignalHandler())
		p := tea.NewProgram(m, opts...)
		go s.forwardResizes(ctx, p, winch)
		_, err := p.Run()
		p.Kill()
		cancel()
		switch {
		case errors.Is(err, tea.ErrProgramPanic):
			s.logger.Error("ssh: session TUI panicked; session closed, server goes on", "name", key.Name(), "err", err)
			wish.Fatalln(sess, "\r\n"+msgPanicked)
		case s.stopping.Err() != nil:
			wish.Fatalln(sess, "\r\n"+msgShutdown)
		default:
			_ = sess.Exit(0)
		}
	}
}

// forwardResizes sends the client's window changes to the program until ctx ends. It runs on its
// own goroutine, out of the recover middleware's reach, so it recovers by itself.
func (s *Server) forwardResizes(ctx context.Context, p *tea.Program, winch <-chan ssh.Window) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("ssh: panic forwarding a window change", "panic", r, "stack", string(debug.Stack()))
			p.Quit()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case w, ok := <-winch:
			if !ok {
				return
			}
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		}
	}
}

// capSessions turns away a session beyond MaxSessions, with a message. The count includes the
// session being turned away until it has been told.
func (s *Server) capSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		n := s.sessions.Add(1)
		defer s.sessions.Add(-1)
		if n > int64(s.p.MaxSessions) {
			s.logger.Warn("ssh: session refused: server full", "addr", sess.RemoteAddr().String(), "max_sessions", s.p.MaxSessions)
			wish.Fatalln(sess, fmt.Sprintf("logitlab: the server is full (%d sessions at most); try again later", s.p.MaxSessions))
			return
		}
		next(sess)
	}
}

// logSessions writes one line when a session starts and one when it ends, with how long it lasted
// and how many bytes the connection sent meanwhile (encrypted, as on the wire).
func (s *Server) logSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		out, _ := sess.Context().Value(bytesKey{}).(*atomic.Int64)
		var before int64
		if out != nil {
			before = out.Load()
		}
		s.logger.Info("ssh: session start", "addr", sess.RemoteAddr().String(), "user", sess.User(), "key", fingerprint(sess.PublicKey()))
		defer func() {
			d := time.Since(start)
			var sent int64
			if out != nil {
				sent = out.Load() - before
			}
			s.logger.Info("ssh: session end", "addr", sess.RemoteAddr().String(), "user", sess.User(),
				"duration", d.Round(time.Millisecond).String(), "bytes_out", sent,
				"bytes_per_sec", int64(float64(sent)/max(d.Seconds(), 1e-3)))
		}()
		next(sess)
	}
}

// bytesKey is the ssh.Context key of a connection's sent-bytes counter (*atomic.Int64).
type bytesKey struct{}

// countingConn counts bytes written to the network and frees its limiter slot when closed.
type countingConn struct {
	net.Conn
	out     atomic.Int64
	release func()
	once    sync.Once
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.out.Add(int64(n))
	return n, err
}

func (c *countingConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// fingerprint is pk's SHA256 fingerprint, or "none".
func fingerprint(pk gossh.PublicKey) string {
	if pk == nil {
		return "none"
	}
	return gossh.FingerprintSHA256(pk)
}

// noColor reports whether a client's environment (as ssh -o SendEnv=NO_COLOR passes it) sets
// NO_COLOR to a non-empty value (https://no-color.org).
func noColor(environ []string) bool {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			return true
		}
	}
	return false
}
