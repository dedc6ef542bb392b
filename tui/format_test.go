package tui

import "testing"

func TestFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{truncateMiddle("train-20261126-170431-e9a216", 15), "train-2…-e9a216"},
		{truncateMiddle("short", 15), "short"},
		{fmtDuration(45), "45s"},
		{fmtDuration(125), "2m05s"},
		{fmtDuration(3*3600 + 7*60 + 59), "3h07m"},
		{fmtInt(0), "0"},
		{fmtInt(999), "999"},
		{fmtInt(1234567), "1,234,567"},
		{fmtInt(-1234), "-1,234"},
		{fmtStep(950), "950"},
		{fmtStep(12000), "12k"},
		{fmtStep(1.5e6), "1.5M"},
		{fmtStep(2e6), "2M"},
		{fmtPct(0.91054), "91.05%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
