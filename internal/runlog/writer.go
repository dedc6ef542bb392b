package runlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/logitlab/logitlab/internal/fsutil"
)

// Writer appends records to a log. It is safe for concurrent use.
//
// A write error is sticky: once a write to the file has failed, every later
// Append, Flush, Sync and Close returns it, because the log's tail is then in
// an unknown state. Reopen the log with OpenAppend to continue.
type Writer struct {
	mu   sync.Mutex
	path string
	f    *os.File
	bw   *bufio.Writer
	seq  int64 // seq of the last record appended
	err  error // sticky write error
}

// Create creates a new log at path and fails if the file exists (two runs
// must never share a log). The directory entry is fsynced.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("runlog: create log: %w", err)
	}
	if err := fsutil.SyncDir(filepath.Dir(path)); err != nil {
		_ = f.Close()
		_ = os.Remove(path) // empty, and ours: let a retry create it again
		return nil, fmt.Errorf("runlog: create %s: %w", path, err)
	}
	return newWriter(path, f, 0), nil
}

// OpenAppend opens the existing log at path for appending. It reads the
// whole log first: an incomplete final line (a crash mid-write) is cut off
// and the cut fsynced; a corrupt line elsewhere is an error and the file is
// left as it is. New records continue the sequence after the last intact one.
func OpenAppend(path string) (*Writer, error) {
	rf, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("runlog: open log: %w", err)
	}
	seq, end, rerr := scanEnd(rf)
	st, serr := rf.Stat()
	_ = rf.Close()
	if rerr != nil {
		return nil, fmt.Errorf("runlog: refusing to append to %s: %w", path, rerr)
	}
	if serr != nil {
		return nil, fmt.Errorf("runlog: open log: %w", serr)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("runlog: open log: %w", err)
	}
	if st.Size() > end {
		// Cut the torn tail so the next record starts on a fresh line.
		if err := f.Truncate(end); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("runlog: %s: cut incomplete tail at byte %d: %w", path, end, err)
		}
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("runlog: %s: fsync after cutting tail: %w", path, err)
		}
	}
	return newWriter(path, f, seq), nil
}

// scanEnd reads a whole log and returns the last intact record's seq and the
// length of the intact prefix. An incomplete tail is not an error here.
func scanEnd(r io.Reader) (seq, end int64, err error) {
	rd := NewReader(r)
	for {
		rec, err := rd.Next()
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF) && !isCorrupt(err):
			return seq, rd.Offset(), nil
		case err != nil:
			return 0, 0, err
		}
		seq = rec.Seq
	}
}

func newWriter(path string, f *os.File, seq int64) *Writer {
	return &Writer{path: path, f: f, bw: bufio.NewWriterSize(f, 64<<10), seq: seq}
}

// Path returns the log's file name.
func (w *Writer) Path() string { return w.path }

// Seq returns the seq of the last record appended (0 for none).
func (w *Writer) Seq() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seq
}

// Append marshals data as JSON and adds a record of the given kind, with the
// next seq and the current UTC time, to the buffer. It returns the record as
// written. kind must not be empty. The record reaches the OS at the next Flush.
func (w *Writer) Append(kind string, data any) (Record, error) {
	if kind == "" {
		return Record{}, errors.New("runlog: append: empty record kind")
	}
	raw, err := json.Marshal(data) // outside the lock: may be slow
	if err != nil {
		return Record{}, fmt.Errorf("runlog: append %q: encode data: %w", kind, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return Record{}, err
	}
	rec := Record{Seq: w.seq + 1, Time: time.Now().UTC(), Kind: kind, Data: raw}
	line, err := encodeLine(rec)
	if err != nil {
		return Record{}, fmt.Errorf("runlog: append %q: %w", kind, err)
	}
	if len(line) > MaxLineBytes {
		return Record{}, fmt.Errorf("runlog: append %q: record is %d bytes; a log line holds at most %d",
			kind, len(line), MaxLineBytes)
	}
	if _, err := w.bw.Write(line); err != nil {
		w.err = fmt.Errorf("runlog: write %s: %w", w.path, err)
		return Record{}, w.err
	}
	w.seq = rec.Seq
	return rec, nil
}

// Flush hands buffered records to the operating system: after it returns nil
// they survive a crash of this process.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

// Sync flushes and fsyncs the log: after it returns nil the records survive a
// power loss.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.syncLocked()
}

// Close syncs and closes the log. Later calls return ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return ErrClosed
	}
	err := w.syncLocked()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("runlog: close %s: %w", w.path, cerr)
	}
	w.f = nil
	return err
}

// RunFlusher flushes the log every interval until ctx is done, then flushes
// once more and returns. Flush errors are sticky and reported by the next
// Append, Flush, Sync or Close. It panics if every <= 0.
func (w *Writer) RunFlusher(ctx context.Context, every time.Duration) {
	if every <= 0 {
		panic(fmt.Sprintf("runlog: RunFlusher interval %v is not positive", every))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = w.Flush()
			return
		case <-t.C:
			_ = w.Flush()
		}
	}
}

func (w *Writer) usable() error {
	if w.f == nil {
		return ErrClosed
	}
	return w.err
}

func (w *Writer) flushLocked() error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("runlog: write %s: %w", w.path, err)
		return w.err
	}
	return nil
}

func (w *Writer) syncLocked() error {
	if err := w.flushLocked(); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("runlog: fsync %s: %w", w.path, err)
		return w.err
	}
	return nil
}
