package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"unicode/utf8"
)

// Limits a reader enforces before allocating; Encode refuses snapshots beyond them.
const (
	Version    = 1
	MaxPayload = 1 << 30 // bytes
	MaxMeta    = 16 << 20
	MaxTensors = 1 << 16
	MaxName    = 1024
	MaxRank    = 8
)

const (
	magic      = "LLCKPT"
	headerSize = len(magic) + 2 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is wrapped by every error that Decode returns for bytes that are not a valid
// checkpoint: foreign files, truncation, bit flips, unsupported versions, hostile sizes.
var ErrCorrupt = errors.New("checkpoint: corrupt or foreign file")

// CorruptError says what was wrong with the bytes and where.
type CorruptError struct {
	Offset int64 // byte offset in the file where the fault was found
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint: corrupt or foreign file at byte %d: %s", e.Offset, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(off int64, format string, args ...any) error {
	return &CorruptError{Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// Tensor is a named float32 array in row-major order; len(Data) equals the product of Shape
// (1 for an empty Shape, a scalar).
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Snapshot is one checkpoint: a step number, opaque metadata (the lab stores JSON there) and
// tensors.
type Snapshot struct {
	Step    int64
	Meta    []byte
	Tensors []Tensor
}

// payloadSize validates s and returns its encoded payload size.
func payloadSize(s *Snapshot) (int64, error) {
	if s.Step < 0 {
		return 0, fmt.Errorf("checkpoint: step %d is negative", s.Step)
	}
	if len(s.Meta) > MaxMeta {
		return 0, fmt.Errorf("checkpoint: metadata is %d bytes, more than the %d allowed", len(s.Meta), MaxMeta)
	}
	if len(s.Tensors) > MaxTensors {
		return 0, fmt.Errorf("checkpoint: %d tensors, more than the %d allowed", len(s.Tensors), MaxTensors)
	}
	size := int64(8 + 4 + len(s.Meta) + 4)
	seen := make(map[string]bool, len(s.Tensors))
	for i, t := range s.Tensors {
		if len(t.Name) == 0 || len(t.Name) > MaxName || !utf8.ValidString(t.Name) {
			return 0, fmt.Errorf("checkpoint: tensor %d: name %q must be 1..%d bytes of UTF-8", i, t.Name, MaxName)
		}
		if seen[t.Name] {
			return 0, fmt.Errorf("checkpoint: tensor name %q appears twice", t.Name)
		}
		seen[t.Name] = true
		if len(t.Shape) > MaxRank {
			return 0, fmt.Errorf("checkpoint: tensor %q has rank %d, more than %d", t.Name, len(t.Shape), MaxRank)
		}
		n := int64(1)
		for _, d := range t.Shape {
			if d < 0 || int64(d) > math.MaxUint32 {
				return 0, fmt.Errorf("checkpoint: tensor %q has bad shape %v", t.Name, t.Shape)
			}
			n *= int64(d)
			if n > MaxPayload {
				return 0, fmt.Errorf("checkpoint: tensor %q shape %v is too large", t.Name, t.Shape)
			}
		}
		if int64(len(t.Data)) != n {
			return 0, fmt.Errorf("checkpoint: tensor %q has %d values for shape %v (want %d)", t.Name, len(t.Data), t.Shape, n)
		}
		size += int64(2+len(t.Name)+1+4*len(t.Shape)) + 4*n
		if size > MaxPayload {
			return 0, fmt.Errorf("checkpoint: snapshot exceeds the %d-byte limit", MaxPayload)
		}
	}
	return size, nil
}

// Encode writes s to w in the format described in the package documentation. It returns an
// error, writing nothing, if s breaks a limit (negative step, duplicate or bad names, data
// length not matching the shape, sizes over the caps).
func Encode(w io.Writer, s *Snapshot) error {
	size, err := payloadSize(s)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var hdr [headerSize]byte
	copy(hdr[:], magic)
	binary.LittleEndian.PutUint16(hdr[6:], Version)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(size))
	if _, err := bw.Write(hdr[:]); err != nil {
		return fmt.Errorf("checkpoint: write header: %w", err)
	}
	crc := crc32.New(castagnoli)
	pw := io.MultiWriter(bw, crc)
	var buf [8]byte
	put := func(b []byte) error { _, err := pw.Write(b); return err }
	u32 := func(v uint32) error { binary.LittleEndian.PutUint32(buf[:4], v); return put(buf[:4]) }

	binary.LittleEndian.PutUint64(buf[:], uint64(s.Step))
	err = put(buf[:8])
	if err == nil {
		err = u32(uint32(len(s.Meta)))
	}
	if err == nil {
		err = put(s.Meta)
	}
	if err == nil {
		err = u32(uint32(len(s.Tensors)))
	}
	chunk := make([]byte, 0, 16<<10)
	for i := 0; err == nil && i < len(s.Tensors); i++ {
		t := &s.Tensors[i]
		binary.LittleEndian.PutUint16(buf[:2], uint16(len(t.Name)))
		chunk = append(chunk[:0], buf[:2]...)
		chunk = append(chunk, t.Name...)
		chunk = append(chunk, byte(len(t.Shape)))
		for _, d := range t.Shape {
			chunk = binary.LittleEndian.AppendUint32(chunk, uint32(d))
		}
		if err = put(chunk); err != nil {
			break
		}
		for j := 0; j < len(t.Data) && err == nil; j += cap(chunk) / 4 {
			chunk = chunk[:0]
			for _, v := range t.Data[j:min(len(t.Data), j+cap(chunk)/4)] {
				chunk = binary.LittleEndian.AppendUint32(chunk, math.Float32bits(v))
			}
			err = put(chunk)
		}
	}
	if err != nil {
		return fmt.Errorf("checkpoint: write payload: %w", err)
	}
	binary.LittleEndian.PutUint32(buf[:4], crc.Sum32())
	if _, err := bw.Write(buf[:4]); err != nil {
		return fmt.Errorf("checkpoint: write checksum: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("checkpoint: write: %w", err)
	}
	return nil
}

// Decode reads one checkpoint from r, which must hold nothing after it. Bytes that are not a
// valid checkpoint give an error wrapping ErrCorrupt (a *CorruptError); read failures other
// than a short read are returned wrapped as they are.
func Decode(r io.Reader) (*Snapshot, error) {
	var hdr [headerSize]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, corrupt(int64(n), "file ends inside the %d-byte header", headerSize)
		}
		return nil, fmt.Errorf("checkpoint: read header: %w", err)
	}
	if string(hdr[:6]) != magic {
		return nil, corrupt(0, "no %q magic; not a checkpoint file", magic)
	}
	if v := binary.LittleEndian.Uint16(hdr[6:]); v != Version {
		return nil, corrupt(6, "format version %d, this build reads version %d", v, Version)
	}
	size := int64(binary.LittleEndian.Uint32(hdr[8:]))
	if size > MaxPayload {
		return nil, corrupt(8, "payload length %d exceeds the %d-byte limit", size, MaxPayload)
	}
	// Grow the buffer as bytes arrive rather than trusting the declared length.
	var body bytes.Buffer
	n, err := io.CopyN(&body, r, size+4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("checkpoint: read payload: %w", err)
	}
	if n < size+4 {
		return nil, corrupt(int64(headerSize)+n, "file ends early: payload and checksum need %d bytes, found %d", size+4, n)
	}
	var extra [1]byte
	if k, _ := io.ReadFull(r, extra[:]); k > 0 {
		return nil, corrupt(int64(headerSize)+size+4, "unexpected bytes after the checksum")
	}
	b := body.Bytes()
	payload := b[:size]
	if got, want := crc32.Checksum(payload, castagnoli), binary.LittleEndian.Uint32(b[size:]); got != want {
		return nil, corrupt(int64(headerSize)+size, "checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	return parsePayload(payload)
}
