package data

import (
	"errors"
	"fmt"
)

// ErrFormat is matched (with errors.Is) by every error about the contents of a data file: wrong magic,
// wrong shape, a truncated or damaged stream, a label out of range, image and label counts that disagree.
var ErrFormat = errors.New("data: malformed data file")

// defaultFix is the advice a FormatError gives when the reader knows nothing more specific.
const defaultFix = "the file is damaged or is not the file its name says: re-download it, " +
	"or point --data-dir at a folder with good copies"

// FormatError reports a data file whose contents are not what the reader expects.
// It matches ErrFormat, and also its cause (for example io.ErrUnexpectedEOF or gzip.ErrChecksum) when there is one.
type FormatError struct {
	File string // the file as the user knows it: a path, or "builtin/mnist/…" for embedded data
	Want string // what the reader expected, e.g. "IDX magic 0x00000803 (uint8, 3 dimensions)"
	Got  string // what it found, e.g. "magic 0x00000801 (uint8, 1 dimension)"
	Fix  string // what the person can do about it; empty means the generic advice
	Err  error  // the underlying cause; may be nil
}

func (e *FormatError) Error() string {
	fix := e.Fix
	if fix == "" {
		fix = defaultFix
	}
	return fmt.Sprintf("data: %s: want %s, got %s; %s", e.File, e.Want, e.Got, fix)
}

// Unwrap lets errors.Is match both ErrFormat and the cause.
func (e *FormatError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrFormat, e.Err}
	}
	return []error{ErrFormat}
}
