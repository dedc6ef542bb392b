package runlog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Reader returns a log's records one at a time. It can follow a log that is
// still being written: after an incomplete tail, a later Next retries the
// same line with whatever bytes have arrived since.
type Reader struct {
	br      *bufio.Reader
	pending []byte // bytes of the current, unfinished line
	line    int    // lines returned so far
	offset  int64  // byte offset just past the last returned record
	lastSeq int64
	bad     *CorruptError // a complete but malformed line seen at EOF
	err     error         // sticky corruption or read error
}

// NewReader returns a Reader for the log in r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Offset is the byte offset just past the last record Next returned: the
// length of the log's intact prefix so far.
func (r *Reader) Offset() int64 { return r.offset }

// Next returns the next record. At the clean end of the log it returns io.EOF.
// If the log ends in a partial or malformed line it returns an error wrapping
// io.ErrUnexpectedEOF; calling Next again retries that line, which a live
// writer may since have finished. A damaged line followed by more data is a
// *CorruptError, and so is every later call.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if r.bad != nil {
		if !r.moreData() {
			return Record{}, r.tailError()
		}
		r.err = r.bad
		return Record{}, r.err
	}
	complete, err := r.readLine()
	if err != nil {
		r.err = err
		return Record{}, err
	}
	if !complete {
		if len(r.pending) == 0 {
			return Record{}, io.EOF
		}
		return Record{}, r.tailError()
	}
	rec, reason, derr := decodeLine(r.pending[:len(r.pending)-1])
	if reason != "" {
		ce := &CorruptError{Line: r.line + 1, Offset: r.offset, Reason: reason, Err: derr}
		if r.moreData() {
			r.err = ce
			return Record{}, ce
		}
		r.bad = ce
		return Record{}, r.tailError()
	}
	if rec.Seq != r.lastSeq+1 {
		r.err = &CorruptError{Line: r.line + 1, Offset: r.offset,
			Reason: fmt.Sprintf("seq %d follows seq %d", rec.Seq, r.lastSeq)}
		return Record{}, r.err
	}
	r.line++
	r.offset += int64(len(r.pending))
	r.lastSeq = rec.Seq
	r.pending = r.pending[:0]
	return rec, nil
}

// readLine adds bytes to r.pending up to and including the next newline.
// complete is false at EOF before a newline.
func (r *Reader) readLine() (complete bool, err error) {
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(r.pending)+len(chunk) > MaxLineBytes {
			return false, &CorruptError{Line: r.line + 1, Offset: r.offset,
				Reason: fmt.Sprintf("line is longer than %d bytes", MaxLineBytes)}
		}
		r.pending = append(r.pending, chunk...)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return false, nil
		default:
			return false, fmt.Errorf("runlog: read line %d: %w", r.line+1, err)
		}
	}
}

// moreData reports whether another byte can be read now.
func (r *Reader) moreData() bool {
	_, err := r.br.Peek(1)
	return err == nil
}

func (r *Reader) tailError() error {
	what := fmt.Sprintf("%d bytes without a newline", len(r.pending))
	if r.bad != nil {
		what = r.bad.Reason
	}
	return fmt.Errorf("runlog: incomplete tail at line %d (byte %d, %s): %w",
		r.line+1, r.offset, what, io.ErrUnexpectedEOF)
}

// ReadAll returns every intact record of the log in r, in order. If the
// final line is partial or malformed (a crash mid-write) it returns the
// records before it and an error wrapping io.ErrUnexpectedEOF. A damaged line
// before the final one yields the records before it and a *CorruptError.
func ReadAll(r io.Reader) ([]Record, error) {
	rd := NewReader(r)
	var recs []Record
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

// ReadFile is ReadAll on the file at path; errors name the file.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("runlog: %w", err)
	}
	defer f.Close()
	recs, err := ReadAll(f)
	if err != nil {
		return recs, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}
