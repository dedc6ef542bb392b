package runlog_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/runlog"
)

// TestEveryCut truncates a valid log at every byte offset, as a crash
// mid-write would, and checks what readers and OpenAppend make of it.
func TestEveryCut(t *testing.T) {
	t.Parallel()
	_, full := writeLog(t, 3)
	var ends []int // offsets just past each newline
	for i, c := range full {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	dir := t.TempDir()
	for cut := 0; cut <= len(full); cut++ {
		whole := 0 // records entirely before cut
		for _, e := range ends {
			if e <= cut {
				whole++
			}
		}
		atBoundary := cut == 0 || (whole > 0 && ends[whole-1] == cut)

		recs, err := runlog.ReadAll(bytes.NewReader(full[:cut]))
		checkSeqs(t, recs, whole)
		if atBoundary && err != nil {
			t.Fatalf("cut %d at a line boundary: err = %v", cut, err)
		}
		if !atBoundary && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut %d mid-line: err = %v, want io.ErrUnexpectedEOF", cut, err)
		}

		path := filepath.Join(dir, fmt.Sprintf("cut%d.jsonl", cut))
		if err := os.WriteFile(path, full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := runlog.OpenAppend(path)
		if err != nil {
			t.Fatalf("cut %d: OpenAppend: %v", cut, err)
		}
		if _, err := w.Append("resumed", cut); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		recs, err = runlog.ReadFile(path)
		if err != nil {
			t.Fatalf("cut %d: after OpenAppend: %v", cut, err)
		}
		checkSeqs(t, recs, whole+1)
		if got, _ := os.ReadFile(path); !bytes.HasPrefix(got, full[:prefixLen(ends, whole)]) {
			t.Fatalf("cut %d: intact records were rewritten", cut)
		}
	}
}

func prefixLen(ends []int, whole int) int {
	if whole == 0 {
		return 0
	}
	return ends[whole-1]
}

// TestCrashRecovery simulates a process killed mid-write with several kinds
// of damaged tail, then resumes the log.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tail string
	}{
		{"partial record", `{"seq":4,"t":"2026-01-02T15:0`},
		{"zeros after power loss", strings.Repeat("\x00", 300)},
		{"complete garbage line", "garbage\n"},
		{"blank line", "\n"},
		{"record without checksum", `{"seq":4,"t":"2026-01-02T15:04:05Z","kind":"step","data":null}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, intact := writeLog(t, 3)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(tc.tail); err != nil {
				t.Fatal(err)
			}
			f.Close()

			recs, err := runlog.ReadFile(path)
			checkSeqs(t, recs, 3)
			if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "incomplete tail at line 4") {
				t.Fatalf("ReadFile: err = %v, want an incomplete tail at line 4", err)
			}
			var ce *runlog.CorruptError
			if errors.As(err, &ce) {
				t.Fatalf("a damaged final line was reported as corruption: %v", err)
			}

			w, err := runlog.OpenAppend(path)
			if err != nil {
				t.Fatal(err)
			}
			if w.Seq() != 3 {
				t.Errorf("reopened Seq() = %d, want 3", w.Seq())
			}
			for i := 4; i <= 5; i++ {
				rec, err := w.Append("step", step{Step: i})
				if err != nil {
					t.Fatal(err)
				}
				if rec.Seq != int64(i) {
					t.Errorf("appended seq %d, want %d", rec.Seq, i)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if !bytes.HasPrefix(got, intact) {
				t.Fatal("the records before the crash changed")
			}
			recs, err = runlog.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkSeqs(t, recs, 5)
		})
	}
}

// TestCorruptMiddle damages a line that has lines after it.
func TestCorruptMiddle(t *testing.T) {
	t.Parallel()
	_, full := writeLog(t, 4)
	lines := bytes.SplitAfter(full, []byte("\n"))
	line2 := len(lines[0])
	for _, tc := range []struct {
		name   string
		edit   func(b []byte) []byte
		reason string
	}{
		{"flipped bit in data", func(b []byte) []byte {
			i := line2 + bytes.Index(lines[1], []byte(`"loss":`)) + 8
			b[i] ^= 0x01
			return b
		}, "checksum mismatch"},
		{"flipped bit in kind", func(b []byte) []byte {
			b[line2+bytes.Index(lines[1], []byte(`step"`))] ^= 0x20
			return b
		}, "checksum mismatch"},
		{"lost byte", func(b []byte) []byte {
			return append(b[:line2+5:line2+5], b[line2+6:]...)
		}, ""},
		{"garbage line", func(b []byte) []byte {
			return bytes.Join([][]byte{lines[0], []byte("not json\n"), bytes.Join(lines[1:], nil)}, nil)
		}, "no checksum"},
		{"swapped lines", func(b []byte) []byte {
			return bytes.Join([][]byte{lines[0], lines[2], lines[1], lines[3]}, nil)
		}, "seq 3 follows seq 1"},
		{"repeated line", func(b []byte) []byte {
			return bytes.Join([][]byte{lines[0], lines[1], lines[1], lines[2], lines[3]}, nil)
		}, "seq 2 follows seq 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.edit(bytes.Clone(full))
			recs, err := runlog.ReadAll(bytes.NewReader(b))
			var ce *runlog.CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, runlog.ErrCorrupt) {
				t.Fatalf("err = %v, want a *CorruptError", err)
			}
			wantLine := 2
			if tc.name == "repeated line" {
				wantLine = 3
			}
			if ce.Line != wantLine || !strings.Contains(ce.Reason, tc.reason) {
				t.Errorf("CorruptError = %v, want line %d, reason containing %q", ce, wantLine, tc.reason)
			}
			checkSeqs(t, recs, wantLine-1)

			path := filepath.Join(t.TempDir(), "events.jsonl")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := runlog.OpenAppend(path); !errors.As(err, &ce) {
				t.Fatalf("OpenAppend on a corrupt log: err = %v, want a *CorruptError", err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
				t.Error("OpenAppend modified a corrupt log")
			}
		})
	}
}

// TestFollowLiveLog reads a log while it is written, one byte at a time,
// and checks that each record appears exactly once, in order.
func TestFollowLiveLog(t *testing.T) {
	t.Parallel()
	_, full := writeLog(t, 5)
	var live bytes.Buffer
	rd := runlog.NewReader(&live)
	var got []runlog.Record
	for i := 0; i <= len(full); i++ {
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				t.Fatalf("after %d bytes: %v", i, err)
			}
			got = append(got, rec)
		}
		if i < len(full) {
			live.WriteByte(full[i])
		}
	}
	checkSeqs(t, got, 5)
	if rd.Offset() != int64(len(full)) {
		t.Errorf("Offset() = %d, want %d", rd.Offset(), len(full))
	}
}
