package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

// TestOnce writes two finished runs of the fake counter experiment to a runs directory, then prints
// frames of them with logitlab --once: plain text, the asked-for size, the newest run by default.
func TestOnce(t *testing.T) {
	dir := t.TempDir()
	l, err := lab.New(lab.Params{RunsDir: dir, Experiments: []lab.Experiment{labtest.Counter{Steps: 60, EvalEvery: 20}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"counter-old", "counter-new"} {
		r, err := l.Start(context.Background(), lab.Spec{Experiment: "counter", ID: id, Config: config.Default()})
		if err != nil {
			t.Fatal(err)
		}
		<-r.Done()
	}
	for _, tc := range []struct {
		name  string
		args  []string
		env   string // NO_COLOR
		w, h  int
		want  string
		ascii bool
	}{
		{"newest by default", []string{"--once", "--runs-dir", dir}, "", 100, 30, "finished · counter-new", false},
		{"named run and size", []string{"--once", "counter-old", "--width", "120", "--height", "40", "--runs-dir", dir}, "", 120, 40, "finished · counter-old", false},
		{"ascii theme", []string{"--once", "--runs-dir", dir, "--tui-theme", "ascii"}, "", 100, 30, "finished . counter-new", true},
		{"NO_COLOR", []string{"--once", "--runs-dir", dir}, "1", 100, 30, "finished . counter-new", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tc.env)
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, strings.NewReader(""), &stdout, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			out := stdout.String()
			if strings.Contains(out, "\x1b") {
				t.Error("the frame holds escape sequences")
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != tc.h {
				t.Errorf("%d lines, want %d", len(lines), tc.h)
			}
			for i, line := range lines {
				if n := len([]rune(line)); n > tc.w {
					t.Errorf("line %d is %d cells, more than %d", i+1, n, tc.w)
				}
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("the frame lacks %q:\n%s", tc.want, out)
			}
			if tc.ascii && strings.ContainsFunc(out, func(r rune) bool { return r > 127 }) {
				t.Errorf("the ascii frame has non-ASCII characters:\n%s", out)
			}
		})
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--once", "nope", "--runs-dir", dir}, exitFailed, `no run "nope"`},
		{[]string{"--once", "--runs-dir", dir + "/missing"}, exitFailed, "no runs directory"},
		{[]string{"--once", "--width", "20", "--runs-dir", dir}, exitUsage, "at least 60×16"},
		{[]string{"--once", "a", "b", "--runs-dir", dir}, exitUsage, `unexpected argument "b"`},
		{[]string{"serve", "--runs-dir", dir, "--tui-keys", "pause=s"}, exitUsage, `tui.keys: "s": bound to both pause and smooth`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, strings.NewReader(""), &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}
