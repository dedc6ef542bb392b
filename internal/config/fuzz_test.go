package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse: no panics; errors are
// *Errors with a line inside the document; an accepted document validates and
// survives TOML() and Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add(DefaultFile())
	if b, err := os.ReadFile("../../config.toml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"[train]\nmodel = \"resnet\"\nepochs = 0\n",
		"train.lr = 1e4\ntui = { fps = 3 }\n",
		"[trian]\nlr = [1, \"\"\"\nx\n\"\"\"]\n[[tui]]\n",
		"lab.flush_every = \"1h\"\n'lab'.\"runs_dir\" = '''\n'''\n",
		"[train]\nseed = 1979-05-27T07:32:00Z\n",
		"= 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("fuzz.toml", b)
		if err != nil {
			lines := strings.Count(string(b), "\n") + 2
			var e *Error
			for _, one := range unjoin(err) {
				if errors.As(one, &e) && (e.Line < 0 || e.Line > lines) {
					t.Fatalf("error line %d outside a %d-line document: %v", e.Line, lines, one)
				}
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
		out, err := c.TOML()
		if err != nil {
			return // a text setting is not valid UTF-8
		}
		again, err := Parse("again.toml", out)
		if err != nil {
			t.Fatalf("TOML() output does not parse: %v\n%s", err, out)
		}
		if again != c {
			t.Fatalf("round trip changed the config:\n%+v\n%+v", c, again)
		}
	})
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if _, isOne := err.(*Error); !isOne {
			return j.Unwrap()
		}
	}
	return []error{err}
}
