package sshserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	rm "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/tui"
)

// Params configures a Server. Zero-valued optional fields take defaults.
type Params struct {
	Lab            *lab.Lab      // required: every session watches this lab
	Addr           string        // required: host:port; port 0 picks a free port (see Server.Addr)
	HostKeyPath    string        // required: created (ed25519, 0600) if missing, never overwritten
	AuthorizedKeys string        // required: the keys file (see ParseAuthorizedKeys); must exist
	IdleTimeout    time.Duration // no traffic either way for this long closes a connection; 0: 10m
	MaxSession     time.Duration // any connection is closed this long after it opened; 0: 8h
	MaxSessions    int           // sessions at once (connections: twice this); 0: 16
	ConnPerMinute  int           // new connections per minute per remote IP, before auth; 0: 30
	ConnBurst      int           // connections one IP may open at once before the rate applies; 0: 10
	FPS            int           // frames per second per session; 0: the tui default
	Smoothing      float64       // loss EMA weight; 0: the tui default
	Header         string        // shown in every session's status line, before "ssh NAME (ROLE)"
	Theme          string        // tui theme: dark, light or ascii; a session whose client sends NO_COLOR gets ascii
	Keys           string        // tui key remaps (tui.CheckKeys)
	// Start starts a run from a controller's launcher (key n). It must start runs under the server's
	// own context (they outlive the session) and use the ctx it gets only to bound the start. nil
	// disables the launcher.
	Start func(ctx context.Context, experiment string, cfg config.Config) (*lab.Run, error)
	// Experiments are what the launcher offers (nil: the lab's own); Config is what its form starts
	// from (the zero Config: the defaults).
	Experiments []tui.Experiment
	Config      config.Config
	Logger      *slog.Logger // nil: slog.Default()
}

// Defaults of the optional Params.
const (
	defaultIdleTimeout   = 10 * time.Minute
	defaultMaxSession    = 8 * time.Hour
	defaultMaxSessions   = 16
	defaultConnPerMinute = 30
	defaultConnBurst     = 10
	handshakeTimeout     = 20 * time.Second
	shutdownGrace        = 3 * time.Second
)

// ParamsFrom fills the SSH fields of Params from the [ssh] section: the host key lives in
// ssh.state_dir, and the keys file is ssh.authorized_keys or, when that is "", state_dir/authorized_keys.
// The launcher starts from c itself. The caller sets Lab, Start, Experiments, Header and Logger.
func ParamsFrom(c config.Config) Params {
	keys := c.SSH.AuthorizedKeys
	if keys == "" {
		keys = filepath.Join(c.SSH.StateDir, "authorized_keys")
	}
	return Params{
		Addr:           c.SSH.Addr,
		HostKeyPath:    filepath.Join(c.SSH.StateDir, HostKeyFile),
		AuthorizedKeys: keys,
		IdleTimeout:    c.SSH.IdleTimeout,
		MaxSession:     c.SSH.MaxSession,
		MaxSessions:    c.SSH.MaxSessions,
		ConnPerMinute:  c.SSH.ConnPerMinute,
		ConnBurst:      c.SSH.ConnBurst,
		FPS:            c.TUI.FPS,
		Smoothing:      c.TUI.Smoothing,
		Theme:          c.TUI.Theme,
		Keys:           c.TUI.Keys,
		Config:         c,
	}
}

// Server serves one lab to many SSH sessions, each with its own TUI.
type Server struct {
	p        Params
	logger   *slog.Logger
	srv      *ssh.Server
	ln       net.Listener
	keys     *keyring
	limiter  *connLimiter
	hostKey  gossh.Signer
	created  bool
	problems []*KeyLineError

	// stopping is cancelled when Serve is told to stop: sessions end with a goodbye.
	stopping context.Context
	stop     context.CancelFunc

	sessions atomic.Int64
	// newModel builds a session's model; tests replace it (export_test.go) to inject faults.
	newModel func(ctx context.Context, p tui.Params) tea.Model
}

// New checks p, loads (or creates) the host key, reads the keys file and starts listening. It
// refuses to start without a keys file, naming the file and how to make one; and it says so
// louder when the address is not loopback. Call Serve, or Close if Serve will not be called.
func New(p Params) (*Server, error) {
	if p.Lab == nil {
		return nil, errors.New("sshserve: no lab given")
	}
	if p.Addr == "" || p.HostKeyPath == "" || p.AuthorizedKeys == "" {
		return nil, errors.New("sshserve: Addr, HostKeyPath and AuthorizedKeys are required")
	}
	setDefaults(&p)
	loopback, err := isLoopback(p.Addr)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(p.AuthorizedKeys); err != nil {
		return nil, noKeysError(p, loopback, err)
	}
	s := &Server{p: p, logger: p.Logger, newModel: tui.New}
	s.hostKey, s.created, err = LoadOrCreateHostKey(p.HostKeyPath)
	if err != nil {
		return nil, fmt.Errorf("sshserve: %w", err)
	}
	s.keys, s.problems, err = openKeyring(p.AuthorizedKeys, s.logger)
	if err != nil {
		return nil, fmt.Errorf("sshserve: %w", err)
	}
	s.limiter = newConnLimiter(p.ConnPerMinute, p.ConnBurst, 2*p.MaxSessions, nil)
	s.stopping, s.stop = context.WithCancel(context.Background())
	if s.srv, err = s.newSSHServer(); err != nil {
		return nil, fmt.Errorf("sshserve: %w", err)
	}
	if s.ln, err = net.Listen("tcp", p.Addr); err != nil {
		return nil, fmt.Errorf("sshserve: listen on %s (set ssh.addr or --ssh to a free host:port): %w", p.Addr, err)
	}
	return s, nil
}

func setDefaults(p *Params) {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&p.MaxSessions, defaultMaxSessions)
	def(&p.ConnPerMinute, defaultConnPerMinute)
	def(&p.ConnBurst, defaultConnBurst)
	if p.IdleTimeout <= 0 {
		p.IdleTimeout = defaultIdleTimeout
	}
	if p.MaxSession <= 0 {
		p.MaxSession = defaultMaxSession
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
}

// newSSHServer writes out the whole SSH stack in one place (style.md R11).
func (s *Server) newSSHServer() (*ssh.Server, error) {
	return wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(s.hostKey); return nil }, // ours, never wish's default file
		wish.WithPublicKeyAuth(s.knownKey),                                    // offered keys: yes or no, and nothing is remembered
		wish.WithIdleTimeout(s.p.IdleTimeout),                                 // no bytes either way for this long: closed
		wish.WithMaxTimeout(s.p.MaxSession),                                   // absolute limit per connection
		ssh.WrapConn(s.admitConn),                                             // before the handshake: per-IP rate, open-connection cap
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = handshakeTimeout // a client that stalls the key exchange holds a slot only this long
			srv.ConnectionFailedCallback = func(c net.Conn, err error) {
				s.logger.Info("ssh: connection failed before a session", "addr", c.RemoteAddr().String(), "err", err)
			}
			return nil
		},
		wish.WithMiddleware(rm.MiddlewareWithLogger(printfLogger{s.logger},
			// Listed inner → outer: the LAST entry runs FIRST. recover guards them all; a panic
			// inside the TUI itself is caught by Bubble Tea and reported by s.runTUI.
			s.runTUI,                // authorizes from s.PublicKey() (the key that signed), then runs this session's TUI
			activeterm.Middleware(), // the TUI needs a terminal: `ssh -T` gets a message and exit 1
			s.capSessions,           // at most MaxSessions at once, counted until each ends
			s.logSessions,           // one line when a session starts and one when it ends, with bytes sent
		)),
	)
}

// Addr is the address the server listens on (with the real port when Params.Addr had port 0).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Fingerprint is the host key's SHA256 fingerprint, as ssh shows it on first connection.
func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.hostKey.PublicKey()) }

// HostKeyCreated reports whether New made a new host key (first start).
func (s *Server) HostKeyCreated() bool { return s.created }

// KeyProblems lists the lines of the keys file that were skipped when New read it.
func (s *Server) KeyProblems() []*KeyLineError { return s.problems }

// Sessions is the number of sessions being served now.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }

// Serve serves until ctx is cancelled, then says goodbye to every session, closes every connection
// and returns nil once the sessions have ended (waiting at most a few seconds). It returns an error
// only when the listener fails.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		s.stop()
		_ = s.srv.Close()
		return fmt.Errorf("sshserve: %w", err)
	case <-ctx.Done():
	}
	s.stop() // each session's TUI quits and prints a goodbye
	deadline := time.Now().Add(shutdownGrace)
	for s.Sessions() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	_ = s.srv.Close()
	<-errc
	for s.Sessions() > 0 && time.Now().Before(deadline.Add(shutdownGrace)) {
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// Close stops listening without serving; for a Server whose Serve will not be called.
func (s *Server) Close() error {
	s.stop()
	err := s.ln.Close()
	_ = s.srv.Close()
	return err
}

// knownKey answers the client's "would this key do?" and the final check after it signed. It only
// says whether the key is listed: nothing is stored, because x/crypto may call it for keys the
// client never proves it holds (CVE-2024-45337). The role is decided in the session, from
// s.PublicKey(), which is the key that signed.
func (s *Server) knownKey(_ ssh.Context, key ssh.PublicKey) bool {
	_, ok := s.keys.lookup(key)
	return ok
}

// admitConn applies the connection limits before the handshake; a refused connection is closed
// at once (returning nil tells the ssh package to close it).
func (s *Server) admitConn(ctx ssh.Context, c net.Conn) net.Conn {
	if why := s.limiter.admit(c.RemoteAddr()); why != "" {
		s.logger.Warn("ssh: connection refused", "addr", c.RemoteAddr().String(), "why", why)
		return nil
	}
	cc := &countingConn{Conn: c, release: s.limiter.release}
	ctx.SetValue(bytesKey{}, &cc.out)
	return cc
}

// isLoopback reports whether addr's host is a loopback address. An empty host or a wildcard
// listens everywhere and is not loopback; a host name must be "localhost" or resolve only to
// loopback addresses.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("sshserve: address %q: want host:port, e.g. 127.0.0.1:2222: %w", addr, err)
	}
	if host == "" {
		return false, nil
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return ip.IsLoopback(), nil
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return false, nil
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false, nil
		}
	}
	return true, nil
}

// noKeysError explains why the server will not start without a keys file.
func noKeysError(p Params, loopback bool, err error) error {
	how := fmt.Sprintf("create it with the public keys allowed in, one per line, e.g.\n"+
		"  mkdir -p %s && cat ~/.ssh/id_ed25519.pub >> %s\n"+
		"A key is a viewer; write logitlab-role=controller before a key to let it pause, stop and steer runs.",
		filepath.Dir(p.AuthorizedKeys), p.AuthorizedKeys)
	if !loopback {
		return fmt.Errorf("%w: refusing to listen on %s, which is reachable from other machines, without %s (%v): "+
			"logins need a listed public key; %s", errNoKeysFile, p.Addr, p.AuthorizedKeys, errors.Unwrap(err), how)
	}
	return fmt.Errorf("%w: %s (%v): logins need a listed public key; %s", errNoKeysFile, p.AuthorizedKeys, errors.Unwrap(err), how)
}

// printfLogger adapts slog to the recover middleware's Printf.
type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, v ...any) {
	p.l.Error("ssh: session panicked (recovered; the server goes on)", "detail", fmt.Sprintf(format, v...))
}
