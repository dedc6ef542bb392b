package runlog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/logitlab/logitlab/internal/runlog"
)

type step struct {
	Step int     `json:"step"`
	Loss float64 `json:"loss"`
}

// writeLog creates a log with n "step" records and returns its path and bytes.
func writeLog(t *testing.T, n int) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	w, err := runlog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := w.Append("step", step{Step: i, Loss: 1 / float64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

func checkSeqs(t *testing.T, recs []runlog.Record, n int) {
	t.Helper()
	if len(recs) != n {
		t.Fatalf("got %d records, want %d", len(recs), n)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
	}
}
