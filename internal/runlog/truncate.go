package runlog

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/logitlab/logitlab/internal/fsutil"
)

// TruncateAfter rewrites the log at path, atomically, to hold only its
// longest prefix of records for which keep returns true: it keeps records up
// to, not including, the first one keep rejects, and drops that record, every
// line after it and any incomplete tail. It returns how many records remain.
//
// On --resume the lab drops the steps logged after the last checkpoint, so
// the resumed run neither loses nor repeats a step:
//
//	runlog.TruncateAfter(p, func(r runlog.Record) bool { return r.Seq <= ckpt.LogSeq })
//
// A corrupt line inside the kept prefix is an error and the file is left as
// it is. No Writer may have the log open: close it first, then OpenAppend.
func TruncateAfter(path string, keep func(Record) bool) (kept int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("runlog: truncate log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("runlog: truncate log: %w", err)
	}
	rd := NewReader(f)
	var end int64 // length of the kept prefix
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) || (errors.Is(err, io.ErrUnexpectedEOF) && !isCorrupt(err)) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("runlog: truncate %s: %w", path, err)
		}
		if !keep(rec) {
			break
		}
		kept++
		end = rd.Offset()
	}
	if end == st.Size() {
		return kept, nil // nothing to drop
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("runlog: truncate %s: %w", path, err)
	}
	err = fsutil.WriteAtomic(path, st.Mode().Perm(), func(w io.Writer) error {
		n, err := io.Copy(w, io.LimitReader(f, end))
		if err == nil && n != end {
			err = fmt.Errorf("log shrank while being rewritten: copied %d of %d bytes", n, end)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("runlog: truncate: %w", err)
	}
	return kept, nil
}

func isCorrupt(err error) bool {
	var ce *CorruptError
	return errors.As(err, &ce)
}
