package data

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
)

// maxPayload caps what a header may promise (2 GiB − 1). The largest real IDX image file (EMNIST
// ByClass, 814,255 images) is 638 MB; anything larger is a damaged or hostile header.
const maxPayload = math.MaxInt32

// firstChunk is how much a reader allocates before it has seen any data: a header that lies about its
// size costs at most this much, and the buffer then grows only as fast as bytes really arrive.
const firstChunk = 1 << 20

// gzipMagic is the first two bytes of every gzip stream, 1f 8b (RFC 1952 §2.3.1).
const gzipMagic = "\x1f\x8b"

// source is a byte stream with gzip already peeled off.
type source struct {
	r    io.Reader
	file string // for messages
	size int64  // uncompressed length when known (a plain file on disk), else -1
	gz   bool
}

// unwrap peeks at r and returns a source that reads the plain bytes, decompressing if r is gzip.
// size is the length of r if the caller knows it, else -1.
func unwrap(r io.Reader, file string, size int64) (*source, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(len(gzipMagic))
	if len(head) == 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("data: read %s: %w", file, err)
		}
		return nil, &FormatError{File: file, Want: "a data file", Got: "an empty file",
			Fix: "the file is empty (an interrupted download?): re-download it"}
	}
	if string(head) != gzipMagic {
		return &source{r: br, file: file, size: size}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, &FormatError{File: file, Want: "a gzip stream (it starts with the gzip magic 1f 8b)",
			Got: fmt.Sprintf("a damaged gzip header (%v)", err), Err: err}
	}
	return &source{r: zr, file: file, size: -1, gz: true}, nil
}

// streamError turns a read failure in the middle of s into an error for the person: a short stream is
// a FormatError about truncation, a gzip fault is a FormatError about damage, anything else (an I/O
// error from the disk) is wrapped as it is.
func (s *source) streamError(err error, want string, got int) error {
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &FormatError{File: s.file, Want: want, Got: fmt.Sprintf("only %d bytes before the end of the file", got),
			Fix: "the file is truncated (an interrupted download?): re-download it", Err: io.ErrUnexpectedEOF}
	case errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || isFlateError(err):
		return &FormatError{File: s.file, Want: want, Got: fmt.Sprintf("a damaged gzip stream after %d bytes (%v)", got, err),
			Fix: "the compressed file is corrupt: re-download it", Err: err}
	default:
		return fmt.Errorf("data: read %s: %w", s.file, err)
	}
}

// isFlateError reports whether err comes from a corrupt deflate stream.
func isFlateError(err error) bool {
	var corrupt flate.CorruptInputError
	var internal flate.InternalError
	return errors.As(err, &corrupt) || errors.As(err, &internal)
}

// readN reads exactly n bytes from s. The buffer grows as data arrives (from firstChunk, doubling), so a
// header that promises gigabytes over a short stream fails with a truncation error after allocating
// little. want describes the whole expectation for error messages.
func (s *source) readN(n int, want string) ([]byte, error) {
	start := min(n, firstChunk)
	if s.size >= 0 { // a plain file whose length the caller already checked against the header
		start = n
	}
	buf := make([]byte, 0, start)
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), n-len(buf)))
		}
		m, err := s.r.Read(buf[len(buf):min(cap(buf), n)])
		buf = buf[:len(buf)+m]
		if err != nil && len(buf) < n {
			return nil, s.streamError(err, want, len(buf))
		}
	}
	return buf, nil
}

// expectEnd checks that s holds no more bytes. For gzip it also makes the reader verify the CRC-32 and
// length in the gzip trailer, which it does only on reaching the end.
func (s *source) expectEnd(want string, consumed int) error {
	var one [1]byte
	for {
		n, err := s.r.Read(one[:])
		if n > 0 {
			return &FormatError{File: s.file, Want: want, Got: fmt.Sprintf("extra bytes after the first %d", consumed),
				Fix: "the file is longer than its header says: it is damaged or not this kind of file; re-download it"}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return s.streamError(err, want, consumed)
		}
	}
}

// openFS opens name in fsys and returns it with its size (or -1 if unknown). display is how messages
// name the file. A missing file yields an error that matches fs.ErrNotExist.
func openFS(fsys fs.FS, name, display string) (fs.File, int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, 0, fmt.Errorf("data: open %s: %w", display, pathErrCause(err))
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// openPath opens a file on disk; see openFS.
func openPath(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("data: open %s: %w", path, pathErrCause(err))
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// pathErrCause strips the *fs.PathError around err, whose path the caller's message already names.
// The cause still matches fs.ErrNotExist and fs.ErrPermission.
func pathErrCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
