package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// idxBytes builds a raw IDX file: magic, dims, payload.
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

// gz compresses b with default settings.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// seq returns n bytes 0, 1, 2, … (mod 256).
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// goodImages is 3 images of 2×4 pixels.
func goodImages() []byte { return idxBytes(idxImageMagic, []uint32{3, 2, 4}, seq(24)) }

func TestReadIDXImages(t *testing.T) {
	t.Parallel()
	good := goodImages()
	badCRC := gz(t, good)
	badCRC[len(badCRC)-8] ^= 0xff // first byte of the CRC-32 in the gzip trailer (RFC 1952 §2.3.1)
	for _, tc := range []struct {
		name    string
		in      []byte
		wantErr error  // nil: success
		wantMsg string // a piece the message must contain
	}{
		{"plain", good, nil, ""},
		{"gzip", gz(t, good), nil, ""},
		{"empty file", nil, ErrFormat, "empty file"},
		{"short magic", good[:3], io.ErrUnexpectedEOF, "truncated"},
		{"short header", good[:10], io.ErrUnexpectedEOF, "only 10 bytes"},
		{"short data", good[:30], io.ErrUnexpectedEOF, "only 14 bytes"},
		{"gzip cut short", gz(t, good)[:20], io.ErrUnexpectedEOF, "truncated"},
		{"gzip bad checksum", badCRC, gzip.ErrChecksum, "corrupt"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0, 0}, ErrFormat, "gzip header"},
		{"trailing bytes", append(goodImages(), 7), ErrFormat, "extra bytes"},
		{"label magic", idxBytes(idxLabelMagic, []uint32{3}, []byte{1, 2, 3}), ErrFormat, "swapped"},
		{"int32 elements", idxBytes(0x00000c03, []uint32{1, 1, 1}, seq(4)), ErrFormat, "IDX int32"},
		{"not IDX", []byte("PK\x03\x04 a zip file"), ErrFormat, "not an IDX file"},
		{"zero rows", idxBytes(idxImageMagic, []uint32{1, 0, 4}, nil), ErrFormat, "at least 1×1"},
		{"giant header", idxBytes(idxImageMagic, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil), ErrFormat, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			im, err := ReadIDXImages(bytes.NewReader(tc.in), "x-images")
			checkErr(t, err, tc.wantErr, tc.wantMsg, "x-images")
			if tc.wantErr == nil && (im.N != 3 || im.Rows != 2 || im.Cols != 4 || !bytes.Equal(im.Pix, seq(24))) {
				t.Errorf("got %d×%d×%d %v, want 3×2×4 %v", im.N, im.Rows, im.Cols, im.Pix, seq(24))
			}
		})
	}
}

// checkErr asserts err matches want (nil = no error), mentions file and contains msg.
func checkErr(t *testing.T, err, want error, msg, file string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one matching %v", want)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %q does not match %v", err, want)
	}
	if !errors.Is(err, ErrFormat) && errors.Is(want, ErrFormat) {
		t.Errorf("error %q does not match ErrFormat", err)
	}
	if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q should name %q and say %q", err, file, msg)
	}
	var fe *FormatError
	if errors.As(err, &fe) && (fe.Want == "" || fe.Got == "") {
		t.Errorf("FormatError without Want/Got: %+v", fe)
	}
}

func TestReadIDXLabels(t *testing.T) {
	t.Parallel()
	good := idxBytes(idxLabelMagic, []uint32{4}, []byte{0, 9, 3, 3})
	for _, tc := range []struct {
		name    string
		in      []byte
		wantErr error
		wantMsg string
	}{
		{"plain", good, nil, ""},
		{"gzip", gz(t, good), nil, ""},
		{"truncated", good[:10], io.ErrUnexpectedEOF, "truncated"},
		{"image magic", goodImages(), ErrFormat, "swapped"},
		{"giant count over short stream", idxBytes(idxLabelMagic, []uint32{0x7ffffff0}, []byte{1}), io.ErrUnexpectedEOF, "only 1 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadIDXLabels(bytes.NewReader(tc.in), "x-labels")
			checkErr(t, err, tc.wantErr, tc.wantMsg, "x-labels")
			if tc.wantErr == nil && !bytes.Equal(got, []byte{0, 9, 3, 3}) {
				t.Errorf("labels %v, want [0 9 3 3]", got)
			}
		})
	}
}

// TestIDXFileSizeCheck: a plain file's length is checked against its header before reading, and a
// header promising ~2 GiB over a short stream allocates only what arrives.
func TestIDXFileSizeCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t10k-images-idx3-ubyte")
	huge := idxBytes(idxImageMagic, []uint32{2_000_000, 28, 38}, seq(100)) // 2.1e9 bytes promised
	if err := os.WriteFile(path, huge, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadIDXImagesFile(path)
	checkErr(t, err, ErrFormat, "a file of 116 bytes", path)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ReadIDXImages(bytes.NewReader(gz(t, huge)), "stream")
	runtime.ReadMemStats(&after)
	checkErr(t, err, io.ErrUnexpectedEOF, "only 100 bytes", "stream")
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("reading a lying header allocated %d bytes, want < 8 MiB", got)
	}

	_, err = ReadIDXLabelsFile(filepath.Join(dir, "missing"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: %v", err)
	}
}

func TestWriteIDXRoundTrip(t *testing.T) {
	t.Parallel()
	im := &Images{N: 3, Rows: 2, Cols: 4, Pix: seq(24)}
	var buf bytes.Buffer
	if err := WriteIDXImages(&buf, im); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), goodImages()) {
		t.Fatalf("WriteIDXImages = %x, want %x", buf.Bytes(), goodImages())
	}
	buf.Reset()
	if err := WriteIDXLabels(&buf, []byte{5, 6}); err != nil {
		t.Fatal(err)
	}
	if want := idxBytes(idxLabelMagic, []uint32{2}, []byte{5, 6}); !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("WriteIDXLabels = %x, want %x", buf.Bytes(), want)
	}
	if err := WriteIDXImages(io.Discard, &Images{N: 2, Rows: 2, Cols: 2, Pix: seq(7)}); err == nil {
		t.Error("WriteIDXImages accepted 7 pixels for 2 images of 2×2")
	}
}
