package data

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// cifarRecords builds n synthetic CIFAR-10 records: record i has label i%10 and pixel byte
// p = (i + j) mod 256 at position j of its 3072 plane bytes.
func cifarRecords(n int) []byte {
	b := make([]byte, 0, n*CIFARRecordSize)
	for i := range n {
		b = append(b, byte(i%10))
		for j := range cifarPixels {
			b = append(b, byte(i+j))
		}
	}
	return b
}

func checkCIFAR(t *testing.T, pix, labels []byte, n int) {
	t.Helper()
	if len(labels) != n || len(pix) != n*cifarPixels {
		t.Fatalf("got %d labels and %d pixel bytes, want %d and %d", len(labels), len(pix), n, n*cifarPixels)
	}
	for i := range n {
		if labels[i] != byte(i%10) {
			t.Fatalf("label %d = %d, want %d", i, labels[i], i%10)
		}
		for _, j := range []int{0, 1023, 1024, 2048, 3071} { // first/last R, first G, first B, last B
			if got := pix[i*cifarPixels+j]; got != byte(i+j) {
				t.Fatalf("record %d byte %d = %d, want %d", i, j, got, byte(i+j))
			}
		}
	}
}

func TestReadCIFAR(t *testing.T) {
	t.Parallel()
	good := cifarRecords(3)
	badLabel := cifarRecords(2)
	badLabel[CIFARRecordSize] = 10
	for _, tc := range []struct {
		name    string
		in      []byte
		wantErr error
		wantMsg string
	}{
		{"plain", good, nil, ""},
		{"gzip", gz(t, good), nil, ""},
		{"empty", nil, ErrFormat, "empty file"},
		{"truncated", good[:2*CIFARRecordSize+100], io.ErrUnexpectedEOF, "2 whole records and then 100 stray bytes"},
		{"gzip truncated", gz(t, good)[:200], ErrFormat, "truncated"},
		{"label out of range", badLabel, ErrFormat, "label 10 in record 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pix, labels, err := ReadCIFAR(bytes.NewReader(tc.in), "batch.bin")
			checkErr(t, err, tc.wantErr, tc.wantMsg, "batch.bin")
			if tc.wantErr == nil {
				checkCIFAR(t, pix, labels, 3)
			}
		})
	}
}

func TestReadCIFARFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		in      []byte
		wantErr error
		wantMsg string
	}{
		{"good", cifarRecords(4), nil, ""},
		{"truncated", cifarRecords(4)[:3*CIFARRecordSize+1], ErrFormat, "not a whole number of records"},
		{"cifar-100", make([]byte, 3*cifar100Record), ErrFormat, "CIFAR-100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tc.name+".bin")
			if err := os.WriteFile(path, tc.in, 0o644); err != nil {
				t.Fatal(err)
			}
			pix, labels, err := ReadCIFARFile(path)
			checkErr(t, err, tc.wantErr, tc.wantMsg, path)
			if tc.wantErr == nil {
				checkCIFAR(t, pix, labels, 4)
			}
		})
	}
}
