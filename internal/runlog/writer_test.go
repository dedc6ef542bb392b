package runlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/runlog"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	w, err := runlog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []struct {
		kind string
		data any
		want string // compact JSON
	}{
		{"start", map[string]any{"model": "mlp", "lr": 0.001}, `{"lr":0.001,"model":"mlp"}`},
		{"step", step{1, 2.5}, `{"step":1,"loss":2.5}`},
		{"note", "two\nlines and \"quotes\"", `"two\nlines and \"quotes\""`},
		{"empty", nil, `null`},
		{"raw", json.RawMessage(" { \"a\" : [1, 2] } "), `{"a":[1,2]}`},
		{"unicode", "naïve ✓", `"naïve ✓"`},
	}
	var written []runlog.Record
	for _, in := range inputs {
		rec, err := w.Append(in.kind, in.data)
		if err != nil {
			t.Fatalf("Append(%q): %v", in.kind, err)
		}
		written = append(written, rec)
	}
	if w.Seq() != int64(len(inputs)) {
		t.Errorf("Seq() = %d, want %d", w.Seq(), len(inputs))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := runlog.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, recs, len(inputs))
	for i, r := range recs {
		if r.Kind != inputs[i].kind || string(r.Data) != inputs[i].want {
			t.Errorf("record %d = %s %s, want %s %s", i, r.Kind, r.Data, inputs[i].kind, inputs[i].want)
		}
		if !r.Time.Equal(written[i].Time) || r.Time.Location() != time.UTC {
			t.Errorf("record %d time %v, want %v in UTC", i, r.Time, written[i].Time)
		}
	}
	// One JSON object per line, readable by any JSON tool.
	b, _ := os.ReadFile(path)
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", i+1, err)
		}
		if _, ok := m["crc"]; !ok {
			t.Errorf("line %d has no crc field", i+1)
		}
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	t.Parallel()
	path, before := writeLog(t, 2)
	if _, err := runlog.Create(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing log: err = %v, want fs.ErrExist", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Create changed an existing log")
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	w, err := runlog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append("", 1); err == nil {
		t.Error("Append with an empty kind succeeded")
	}
	if _, err := w.Append("bad", func() {}); err == nil {
		t.Error("Append of an unencodable value succeeded")
	}
	if _, err := w.Append("huge", strings.Repeat("x", runlog.MaxLineBytes)); err == nil {
		t.Error("Append of an over-long record succeeded")
	}
	if w.Seq() != 0 {
		t.Errorf("failed appends used seq numbers: Seq() = %d", w.Seq())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append("late", 1); !errors.Is(err, runlog.ErrClosed) {
		t.Errorf("Append after Close: err = %v, want ErrClosed", err)
	}
	if err := w.Close(); !errors.Is(err, runlog.ErrClosed) {
		t.Errorf("second Close: err = %v, want ErrClosed", err)
	}
}

// TestConcurrentAppend appends from several goroutines while a flusher runs;
// run under -race. Every record must land exactly once with seq 1..n.
func TestConcurrentAppend(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	w, err := runlog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	flusherDone := make(chan struct{})
	go func() {
		defer close(flusherDone)
		w.RunFlusher(ctx, time.Millisecond)
	}()
	const workers, each = 8, 250
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := w.Append("step", step{Step: g*each + i}); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					if err := w.Sync(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	cancel()
	<-flusherDone
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := runlog.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, recs, workers*each)
	seen := make(map[int]bool)
	for _, r := range recs {
		var s step
		if err := json.Unmarshal(r.Data, &s); err != nil {
			t.Fatal(err)
		}
		if seen[s.Step] {
			t.Fatalf("step %d logged twice", s.Step)
		}
		seen[s.Step] = true
	}
}

func TestRunFlusherFlushesOnCancel(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	w, err := runlog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Append("step", step{Step: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w.RunFlusher(ctx, time.Hour) // returns at once, flushing on the way out
	recs, err := runlog.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, recs, 1)
}
