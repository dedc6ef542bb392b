package sshserve

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// connLimiter admits TCP connections before the SSH handshake, so floods are turned away before
// they cost a key exchange:
//
//   - each remote IP has a token bucket of capacity burst, refilled at perMinute/60 tokens a
//     second; a connection takes one token or is closed;
//   - at most maxOpen connections are open at once, from everyone together.
//
// The bucket of an address that has been quiet long enough to refill is forgotten, so the map
// holds at most the addresses seen within the last burst·60/perMinute seconds (and never more than
// maxAddrs, beyond which the fullest buckets are dropped first, which only makes them fresh).
type connLimiter struct {
	perSecond float64
	burst     float64
	maxOpen   int
	maxAddrs  int
	now       func() time.Time

	mu      sync.Mutex
	open    int
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

func newConnLimiter(perMinute, burst, maxOpen int, now func() time.Time) *connLimiter {
	if now == nil {
		now = time.Now
	}
	return &connLimiter{
		perSecond: float64(perMinute) / 60,
		burst:     float64(burst),
		maxOpen:   maxOpen,
		maxAddrs:  4096,
		now:       now,
		buckets:   map[string]*bucket{},
	}
}

// admit takes a token for addr and a slot among the open connections. It returns "" when the
// connection may go on (the caller must call release when it closes) or why it may not.
func (l *connLimiter) admit(addr net.Addr) string {
	ip := hostOf(addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.maxOpen {
		return fmt.Sprintf("too many open connections (%d)", l.open)
	}
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= l.maxAddrs {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[ip] = b
	}
	b.refill(now, l.perSecond, l.burst)
	if b.tokens < 1 {
		return fmt.Sprintf("connection rate limit for %s (next in %.0fs)", ip, (1-b.tokens)/l.perSecond)
	}
	b.tokens--
	l.open++
	return ""
}

// release frees the slot taken by an admitted connection.
func (l *connLimiter) release() {
	l.mu.Lock()
	l.open--
	l.mu.Unlock()
}

func (b *bucket) refill(now time.Time, perSecond, burst float64) {
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.tokens = min(burst, b.tokens+dt*perSecond)
	}
	b.at = now
}

// sweep forgets full buckets; if none is full it forgets the fullest one. l.mu is held.
func (l *connLimiter) sweep(now time.Time) {
	var fullest string
	best := -1.0
	for ip, b := range l.buckets {
		b.refill(now, l.perSecond, l.burst)
		if b.tokens >= l.burst {
			delete(l.buckets, ip)
			continue
		}
		if b.tokens > best {
			fullest, best = ip, b.tokens
		}
	}
	if len(l.buckets) >= l.maxAddrs {
		delete(l.buckets, fullest)
	}
}

// hostOf is the IP of a TCP address, or the address's text for other kinds.
func hostOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	if a == nil {
		return "unknown"
	}
	return a.String()
}
