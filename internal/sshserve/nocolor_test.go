package sshserve

import "testing"

func TestNoColor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		want bool
	}{
		{nil, false},
		{[]string{"TERM=xterm", "NO_COLOR="}, false},
		{[]string{"NO_COLOR=1"}, true},
		{[]string{"LANG=C", "NO_COLOR=yes please"}, true},
		{[]string{"XNO_COLOR=1"}, false},
	} {
		if got := noColor(tc.env); got != tc.want {
			t.Errorf("noColor(%q) = %v, want %v", tc.env, got, tc.want)
		}
	}
}
