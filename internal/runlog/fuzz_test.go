package runlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadAll feeds arbitrary bytes to the reader: it must not panic, must
// stop (input is finite and lines are bounded), must return records with
// seq 1..n, and whatever it returns must survive an encode-and-read round trip.
func FuzzReadAll(f *testing.F) {
	_, good := fuzzSeedLog(f)
	f.Add(good)
	f.Add(good[:len(good)-7])                                     // torn tail
	f.Add(append(bytes.Clone(good), "\x00\x00\x00"...))           // zeros after power loss
	f.Add(bytes.Replace(good, []byte("step"), []byte("stop"), 1)) // checksum mismatch
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"seq":1,"t":"2026-01-02T15:04:05Z","kind":"k","data":1,"crc":"00000000"}` + "\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := ReadAll(bytes.NewReader(b))
		var ce *CorruptError
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &ce) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		for i, r := range recs {
			if r.Seq != int64(i+1) || r.Kind == "" || r.Time.IsZero() || !json.Valid(r.Data) {
				t.Fatalf("record %d returned as valid: %+v", i, r)
			}
		}
		if len(recs) == 0 {
			return
		}
		var buf bytes.Buffer
		for _, r := range recs {
			line, err := encodeLine(r)
			if err != nil {
				t.Fatalf("re-encode record %d: %v", r.Seq, err)
			}
			buf.Write(line)
		}
		again, err := ReadAll(&buf)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("round trip: %d records, err %v; want %d", len(again), err, len(recs))
		}
		for i := range recs {
			var a, b bytes.Buffer
			_ = json.Compact(&a, recs[i].Data)
			_ = json.Compact(&b, again[i].Data)
			if again[i].Kind != recs[i].Kind || !again[i].Time.Equal(recs[i].Time) || a.String() != b.String() {
				t.Fatalf("round trip changed record %d: %s %s → %s %s",
					i, recs[i].Kind, recs[i].Data, again[i].Kind, again[i].Data)
			}
		}
	})
}

func fuzzSeedLog(f *testing.F) (string, []byte) {
	path := filepath.Join(f.TempDir(), "events.jsonl")
	w, err := Create(path)
	if err != nil {
		f.Fatal(err)
	}
	for i, d := range []any{map[string]float64{"loss": 2.3}, "text", nil, []int{1, 2}} {
		kind := "step"
		if i > 0 {
			kind = "note"
		}
		if _, err := w.Append(kind, d); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return path, b
}
