package sshserve_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/logitlab/logitlab/internal/sshserve"
)

func TestParseAuthorizedKeys(t *testing.T) {
	t.Parallel()
	v := authorizedLine(t, "viewer")     // "ssh-ed25519 AAAA… viewer@test"
	c := authorizedLine(t, "controller") // "ssh-ed25519 AAAA… controller@test"
	s := authorizedLine(t, "stranger")   // "ssh-ed25519 AAAA… stranger@test"
	blob := strings.Fields(v)[1]         // the viewer's base64 key
	ca, _ := signerFor(t, "restricted")  // signs a certificate below
	certLine := certificateLine(t, ca, "viewer")
	type want struct {
		name string
		role sshserve.Role
		line int
	}
	for _, tc := range []struct {
		name     string
		file     string
		keys     []want
		badLines []int
		badMsg   string // a substring of the first problem
	}{
		{"plain key is a viewer", v, []want{{"viewer@test", sshserve.Viewer, 1}}, nil, ""},
		{"controller option", "logitlab-role=controller " + c, []want{{"controller@test", sshserve.Controller, 1}}, nil, ""},
		{"explicit viewer, quoted", `logitlab-role="viewer" ` + v, []want{{"viewer@test", sshserve.Viewer, 1}}, nil, ""},
		{"comments, blanks and CRLF keep line numbers", "# keys\r\n\r\n" + v + "\r\n  \r\nlogitlab-role=controller " + c + "\r\n",
			[]want{{"viewer@test", sshserve.Viewer, 3}, {"controller@test", sshserve.Controller, 5}}, nil, ""},
		{"garbage first does not lock out the rest", "not a key at all\n" + v + "\nlogitlab-role=controller " + c,
			[]want{{"viewer@test", sshserve.Viewer, 2}, {"controller@test", sshserve.Controller, 3}}, []int{1}, "not a public key line"},
		{"unknown role", "logitlab-role=admin " + c + "\n" + v, []want{{"viewer@test", sshserve.Viewer, 2}}, []int{1}, "must be viewer or controller"},
		{"a restriction we do not enforce refuses the line", `from="10.0.0.1" ` + c, nil, []int{1}, `option "from=\"10.0.0.1\""`},
		{"no-pty with a role", "logitlab-role=controller,no-pty " + c, nil, []int{1}, `option "no-pty"`},
		{"role given twice", "logitlab-role=viewer,logitlab-role=controller " + c, nil, []int{1}, "given twice"},
		{"duplicate key keeps the first", v + "\nlogitlab-role=controller " + v, []want{{"viewer@test", sshserve.Viewer, 1}}, []int{2}, "already listed on line 1"},
		{"declared type must match the key", "ssh-rsa " + blob + " x", nil, []int{1}, "not a public key line"},
		{"truncated base64", "ssh-ed25519 " + blob[:20], nil, []int{1}, "not a public key line"},
		{"certificates are refused", certLine + "\n" + s, []want{{"stranger@test", sshserve.Viewer, 2}}, []int{1}, "certificates"},
		{"no comment: named by fingerprint", strings.Join(strings.Fields(v)[:2], " "), []want{{"SHA256:", sshserve.Viewer, 1}}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, problems := sshserve.ParseAuthorizedKeys("keys", []byte(tc.file))
			if len(keys) != len(tc.keys) {
				t.Fatalf("got %d keys, want %d (problems %v)", len(keys), len(tc.keys), problems)
			}
			for i, k := range keys {
				w := tc.keys[i]
				if !strings.HasPrefix(k.Name(), w.name) || k.Role != w.role || k.Line != w.line {
					t.Errorf("key %d = %q %v line %d; want %q %v line %d", i, k.Name(), k.Role, k.Line, w.name, w.role, w.line)
				}
			}
			var lines []int
			for _, p := range problems {
				lines = append(lines, p.Line)
				if !errors.Is(p, sshserve.ErrKeyLine) || !strings.HasPrefix(p.Error(), "keys:") || !strings.HasSuffix(p.Error(), "(line skipped)") {
					t.Errorf("problem %q: want a keys:LINE: … (line skipped) error wrapping ErrKeyLine", p)
				}
			}
			if !equalInts(lines, tc.badLines) {
				t.Errorf("problem lines %v, want %v (%v)", lines, tc.badLines, problems)
			}
			if tc.badMsg != "" && (len(problems) == 0 || !strings.Contains(problems[0].Error(), tc.badMsg)) {
				t.Errorf("problems %v, want the first to say %q", problems, tc.badMsg)
			}
		})
	}
}

// certificateLine is an authorized_keys line holding a certificate for name's key, signed by ca.
func certificateLine(t *testing.T, ca gossh.Signer, name string) string {
	t.Helper()
	s, _ := signerFor(t, name)
	cert := &gossh.Certificate{Key: s.PublicKey(), CertType: gossh.UserCert, ValidBefore: gossh.CertTimeInfinity}
	if err := cert.SignCert(bytes.NewReader(make([]byte, 64)), ca); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(cert)))
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzParseAuthorizedKeys: any bytes give keys and problems without panicking, every problem
// names a line that exists, and the keys found, written back out, read back the same.
func FuzzParseAuthorizedKeys(f *testing.F) {
	f.Add([]byte(keysFile(f)))
	f.Add([]byte("logitlab-role=controller " + authorizedLine(f, "controller") + "\r\n# x\n\n"))
	f.Add([]byte(`logitlab-role="controller,x" ssh-ed25519 AAAA`))
	f.Add([]byte("ssh-ed25519\tAAAAC3NzaC1lZDI1NTE5AAAAIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\t c"))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, problems := sshserve.ParseAuthorizedKeys("f", b)
		nLines := bytes.Count(b, []byte("\n")) + 1
		for _, p := range problems {
			if p.Line < 0 || p.Line > nLines {
				t.Fatalf("problem on line %d of a %d-line file: %v", p.Line, nLines, p)
			}
		}
		var out strings.Builder
		for _, k := range keys {
			if k.Line < 1 || k.Line > nLines || (k.Role != sshserve.Viewer && k.Role != sshserve.Controller) {
				t.Fatalf("key %+v: bad line or role", k)
			}
			out.WriteString("logitlab-role=" + k.Role.String() + " " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k.Key))) + " " + k.Comment + "\n")
		}
		again, problems2 := sshserve.ParseAuthorizedKeys("g", []byte(out.String()))
		if len(again) != len(keys) || len(problems2) != 0 {
			t.Fatalf("round trip: %d keys, %v; want %d keys and no problems\n%s", len(again), problems2, len(keys), out.String())
		}
		for i := range keys {
			if !bytes.Equal(again[i].Key.Marshal(), keys[i].Key.Marshal()) || again[i].Role != keys[i].Role || again[i].Comment != keys[i].Comment {
				t.Fatalf("round trip of key %d: %+v, want %+v", i, again[i], keys[i])
			}
		}
	})
}
