package sshserve

import (
	"context"
	"net"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/tui"
)

// SetNewModel replaces how sessions build their model, so tests can inject faults. Call it before
// Serve.
func (s *Server) SetNewModel(f func(ctx context.Context, p tui.Params) tea.Model) { s.newModel = f }

// NewConnLimiter exposes the connection limiter with a test clock.
func NewConnLimiter(perMinute, burst, maxOpen int, now func() time.Time) *ConnLimiter {
	return (*ConnLimiter)(newConnLimiter(perMinute, burst, maxOpen, now))
}

// ConnLimiter is connLimiter for tests.
type ConnLimiter connLimiter

func (l *ConnLimiter) Admit(a net.Addr) string { return (*connLimiter)(l).admit(a) }
func (l *ConnLimiter) Release()                { (*connLimiter)(l).release() }
func (l *ConnLimiter) Addrs() int              { return len(l.buckets) }

// IsLoopback exposes isLoopback.
var IsLoopback = isLoopback

// ErrNoKeysFile exposes errNoKeysFile.
var ErrNoKeysFile = errNoKeysFile

// SetMaxAddrs bounds the limiter's address table.
func (l *ConnLimiter) SetMaxAddrs(n int) { l.maxAddrs = n }
