package runlog

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// MaxLineBytes bounds one line of the log, newline included. Writers refuse
// longer records, so readers never need to buffer more.
const MaxLineBytes = 16 << 20

// Record is one line of the log.
type Record struct {
	Seq  int64           `json:"seq"`  // 1, 2, 3, … with no gaps
	Time time.Time       `json:"t"`    // UTC time of Append
	Kind string          `json:"kind"` // event name, never empty
	Data json.RawMessage `json:"data"` // the event, compact JSON
}

// ErrCorrupt is wrapped by every *CorruptError.
var ErrCorrupt = errors.New("runlog: corrupt log")

// ErrClosed is returned by a Writer's methods after Close.
var ErrClosed = errors.New("runlog: writer is closed")

// CorruptError reports a damaged line that is not the log's final line, or a
// record out of sequence. The records before it are intact.
type CorruptError struct {
	Line   int   // 1-based line number
	Offset int64 // byte offset of the line's start
	Reason string
	Err    error // underlying decode error, if any
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("runlog: line %d (byte %d) is corrupt: %s", e.Line, e.Offset, e.Reason)
}

// Unwrap returns ErrCorrupt and the underlying decode error, if any.
func (e *CorruptError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrCorrupt}
	}
	return []error{ErrCorrupt, e.Err}
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcKey opens the checksum field that ends every line: `,"crc":"xxxxxxxx"}`.
const crcKey = `,"crc":"`

// crcSuffixLen is len(`,"crc":"` + 8 hex digits + `"}`).
const crcSuffixLen = len(crcKey) + 8 + 2

// decodeLine parses one line without its newline. It returns a reason when
// the line is not a well-formed record with a matching checksum.
func decodeLine(line []byte) (Record, string, error) {
	n := len(line) - crcSuffixLen
	if n < 1 || !bytes.Equal(line[n:n+len(crcKey)], []byte(crcKey)) || !bytes.HasSuffix(line, []byte(`"}`)) {
		return Record{}, "no checksum field at the end of the line", nil
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], line[n+len(crcKey):len(line)-2]); err != nil {
		return Record{}, "checksum is not 8 hex digits", err
	}
	body := make([]byte, n+1)
	copy(body, line[:n])
	body[n] = '}'
	want := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	if got := crc32.Checksum(body, castagnoli); got != want {
		return Record{}, fmt.Sprintf("checksum mismatch: line says %08x, bytes give %08x", want, got), nil
	}
	var r Record
	if err := json.Unmarshal(body, &r); err != nil {
		return Record{}, "not a JSON record", err
	}
	switch {
	case r.Seq < 1:
		return Record{}, "missing or non-positive seq", nil
	case r.Time.IsZero():
		return Record{}, "missing time", nil
	case r.Kind == "":
		return Record{}, "missing kind", nil
	case len(r.Data) == 0:
		r.Data = json.RawMessage("null")
	}
	return r, "", nil
}

// encodeLine renders r as one line, newline included: the record's JSON with
// a last field "crc" holding the CRC-32C of that JSON as written without it.
func encodeLine(r Record) ([]byte, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	sum := crc32.Checksum(body, castagnoli)
	line := make([]byte, 0, len(body)+crcSuffixLen+1)
	line = append(line, body[:len(body)-1]...)
	line = fmt.Appendf(line, `%s%08x"}`+"\n", crcKey, sum)
	return line, nil
}
