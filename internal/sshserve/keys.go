package sshserve

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// Role is what a key may do in a session.
type Role int

const (
	// Viewer sees every run and changes nothing: command keys are refused with a message.
	Viewer Role = iota + 1
	// Controller may also pause, resume, stop and start runs and change live settings.
	Controller
)

// String returns "viewer" or "controller", as written in the keys file.
func (r Role) String() string {
	switch r {
	case Viewer:
		return "viewer"
	case Controller:
		return "controller"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// roleOption is the only authorized_keys option logitlab reads.
const roleOption = "logitlab-role"

// AuthorizedKey is one accepted line of the keys file.
type AuthorizedKey struct {
	Key     gossh.PublicKey
	Role    Role
	Comment string // the text after the key, e.g. "alice@laptop"; "" when none
	Line    int    // 1-based line number in the file
}

// Name is how sessions and logs name the key's holder: the comment, or the key's SHA256 fingerprint.
func (k AuthorizedKey) Name() string {
	if k.Comment != "" {
		return k.Comment
	}
	return gossh.FingerprintSHA256(k.Key)
}

// ErrKeyLine is the sentinel every *KeyLineError wraps.
var ErrKeyLine = errors.New("sshserve: bad authorized_keys line")

// KeyLineError says why one line of the keys file was skipped.
type KeyLineError struct {
	Path string // may be ""
	Line int    // 1-based
	Msg  string
}

func (e *KeyLineError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("authorized_keys line %d: %s (line skipped)", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s (line skipped)", e.Path, e.Line, e.Msg)
}

func (e *KeyLineError) Unwrap() error { return ErrKeyLine }

// maxKeysFile bounds what ParseAuthorizedKeys reads, so a wrong path (a disk image, /dev/zero
// through a symlink) cannot exhaust memory.
const maxKeysFile = 4 << 20

// ParseAuthorizedKeys reads an OpenSSH-style authorized_keys file:
//
//	# comment lines and blank lines are ignored
//	ssh-ed25519 AAAAC3Nz… alice@laptop                              a viewer
//	logitlab-role=viewer ssh-ed25519 AAAAC3Nz… carol                an explicit viewer
//	logitlab-role=controller ssh-ed25519 AAAAC3Nz… bob@desk         a controller
//
// The options field (before the key type) may hold only logitlab-role=viewer or
// logitlab-role=controller; a key without it is a viewer. Any other option (from=, command=,
// cert-authority, …) would be a restriction logitlab does not enforce, so such a line is refused
// rather than silently widened. A line that does not parse, repeats a key or names an unknown
// role is reported as a *KeyLineError and skipped; the other lines still count, so one typo never
// locks everyone out. path only labels the errors.
func ParseAuthorizedKeys(path string, data []byte) ([]AuthorizedKey, []*KeyLineError) {
	var keys []AuthorizedKey
	var problems []*KeyLineError
	if len(data) > maxKeysFile {
		data = data[:maxKeysFile]
		problems = append(problems, &KeyLineError{Path: path, Line: 0, Msg: fmt.Sprintf("file is larger than %d bytes; the rest is ignored", maxKeysFile)})
	}
	seen := map[string]int{} // marshalled key → line
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line = bytes.TrimSpace(bytes.TrimSuffix(line, []byte("\r")))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		bad := func(format string, a ...any) {
			problems = append(problems, &KeyLineError{Path: path, Line: n, Msg: fmt.Sprintf(format, a...)})
		}
		pk, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			bad("not a public key line (want [logitlab-role=viewer|controller] TYPE BASE64 [COMMENT], as in a .pub file)")
			continue
		}
		if _, isCert := pk.(*gossh.Certificate); isCert {
			bad("certificates are not accepted; list the plain public key")
			continue
		}
		role, msg := parseRole(options)
		if msg != "" {
			bad("%s", msg)
			continue
		}
		id := string(pk.Marshal())
		if first, dup := seen[id]; dup {
			bad("this key is already listed on line %d", first)
			continue
		}
		seen[id] = n
		keys = append(keys, AuthorizedKey{Key: pk, Role: role, Comment: strings.TrimSpace(comment), Line: n})
	}
	return keys, problems
}

// parseRole reads the options field; it returns a message when the line must be refused.
func parseRole(options []string) (Role, string) {
	role := Role(0)
	for _, o := range options {
		name, value, _ := strings.Cut(o, "=")
		if name != roleOption {
			return 0, fmt.Sprintf("option %q is not supported (logitlab reads only %s=viewer|controller)", o, roleOption)
		}
		if role != 0 {
			return 0, fmt.Sprintf("%s is given twice", roleOption)
		}
		switch strings.Trim(value, `"`) {
		case "viewer":
			role = Viewer
		case "controller":
			role = Controller
		default:
			return 0, fmt.Sprintf("%s=%s: the role must be viewer or controller", roleOption, value)
		}
	}
	if role == 0 {
		role = Viewer
	}
	return role, ""
}
