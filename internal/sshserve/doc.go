// Package sshserve serves one lab to many people over SSH (`logitlab serve --ssh ADDR`). Every
// session gets its own Bubble Tea model (tui.New) subscribed to the same *lab.Lab, sized from the
// session's window and following its resizes; a late joiner pulls the full history, and a command
// sent from one session reaches the run, whose reply every other session draws within a frame.
//
// # Keys and roles
//
// Logins need a public key listed in an authorized_keys file (ParseAuthorizedKeys), re-read when
// it changes. A plain line is a viewer: it sees everything and its command keys are refused with
// a visible message (tui.Params.ReadOnly). A line whose options field is
//
//	logitlab-role=controller ssh-ed25519 AAAA… bob@desk
//
// is a controller: it may pause, resume, stop and start runs and change live settings. Any other
// option refuses the line (it would be a restriction we do not enforce). A malformed line is
// logged with its line number and skipped; the others still work.
//
// The public-key callback answers only "is this key listed?" and stores nothing, because x/crypto
// may call it for keys the client offers but never proves it holds (CVE-2024-45337). The role is
// decided inside the session from ssh.Session.PublicKey(), the key that actually signed, looked up
// in the file as it is at that moment.
//
// # Limits
//
// Before the handshake, each remote IP has a token bucket (ConnBurst tokens, refilled at
// ConnPerMinute per minute) and all connections together are capped at 2·MaxSessions; a refused
// connection is closed at once. After login, sessions beyond MaxSessions are told the server is
// full. A connection with no traffic either way for IdleTimeout, or open for MaxSession, is closed.
// The handshake itself must finish within 20 s.
//
// # Failures
//
// A panic in a session's TUI (Update, View or a command) is caught by Bubble Tea; the session
// ends with a message and the server and other sessions go on. A panic elsewhere in a session's
// handler is caught by the recover middleware. When a client vanishes (even kill -9 of ssh) the
// connection's context ends, the session's program quits and its lab subscription is closed.
//
// # Host key
//
// An ed25519 key made on first start (LoadOrCreateHostKey) in a 0700 folder, mode 0600, linked
// into place so it is never half-written and never overwritten. Its fingerprint is printed at
// start so users can check it against what ssh shows them.
package sshserve
