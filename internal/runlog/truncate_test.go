package runlog_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/logitlab/logitlab/internal/runlog"
)

func TestTruncateAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		n        int
		tail     string
		keepUpTo int64 // keep records with seq <= keepUpTo
		want     int
	}{
		{"drop last three", 10, "", 7, 7},
		{"keep all", 5, "", 100, 5},
		{"keep none", 5, "", 0, 0},
		{"drop torn tail too", 5, `{"seq":6,`, 100, 5},
		{"empty log", 0, "", 100, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, full := writeLog(t, tc.n)
			if err := os.Chmod(path, 0o640); err != nil {
				t.Fatal(err)
			}
			if tc.tail != "" {
				f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
				f.WriteString(tc.tail)
				f.Close()
			}
			kept, err := runlog.TruncateAfter(path, func(r runlog.Record) bool { return r.Seq <= tc.keepUpTo })
			if err != nil {
				t.Fatal(err)
			}
			if kept != tc.want {
				t.Errorf("kept = %d, want %d", kept, tc.want)
			}
			recs, err := runlog.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkSeqs(t, recs, tc.want)
			got, _ := os.ReadFile(path)
			if !bytes.HasPrefix(full, got) {
				t.Error("kept records are not a byte-exact prefix of the original")
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
			}
			if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
				t.Errorf("temp files left behind: %d entries", len(ents))
			}
			// A resumed run continues right after the kept prefix.
			w, err := runlog.OpenAppend(path)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := w.Append("step", step{})
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			if rec.Seq != int64(tc.want+1) {
				t.Errorf("resumed seq %d, want %d", rec.Seq, tc.want+1)
			}
		})
	}
}

func TestTruncateAfterCorruptPrefix(t *testing.T) {
	t.Parallel()
	path, full := writeLog(t, 4)
	b := bytes.Clone(full)
	b[bytes.IndexByte(b, '\n')+3] ^= 0x04 // damage line 2
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runlog.TruncateAfter(path, func(r runlog.Record) bool { return true })
	if !errors.Is(err, runlog.ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
		t.Error("TruncateAfter modified a log it could not read")
	}
}
