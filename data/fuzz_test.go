package data

import (
	"bytes"
	"testing"
)

// FuzzReadIDXImages: any bytes give images or an error, never a panic; whatever decodes re-encodes to
// the same plain bytes.
func FuzzReadIDXImages(f *testing.F) {
	good := goodImages()
	f.Add(good)
	f.Add(gz(f, good))
	f.Add(good[:10])
	f.Add(gz(f, good)[:20])
	f.Add(idxBytes(idxImageMagic, []uint32{0xffffffff, 28, 28}, seq(50)))
	f.Add(idxBytes(idxLabelMagic, []uint32{2}, []byte{1, 2}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := ReadIDXImages(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		if im.Rows <= 0 || im.Cols <= 0 || len(im.Pix) != im.N*im.Rows*im.Cols {
			t.Fatalf("decoded %d×%d×%d with %d pixels", im.N, im.Rows, im.Cols, len(im.Pix))
		}
		var buf bytes.Buffer
		if err := WriteIDXImages(&buf, im); err != nil {
			t.Fatal(err)
		}
		again, err := ReadIDXImages(&buf, "re-encoded")
		if err != nil || again.N != im.N || !bytes.Equal(again.Pix, im.Pix) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// FuzzReadIDXLabels: as FuzzReadIDXImages, for idx1 files.
func FuzzReadIDXLabels(f *testing.F) {
	good := idxBytes(idxLabelMagic, []uint32{4}, []byte{0, 9, 3, 3})
	f.Add(good)
	f.Add(gz(f, good))
	f.Add(good[:6])
	f.Add(idxBytes(idxLabelMagic, []uint32{0x7fffffff}, nil))
	f.Add(goodImages())
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := ReadIDXLabels(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteIDXLabels(&buf, labels); err != nil {
			t.Fatal(err)
		}
		again, err := ReadIDXLabels(&buf, "re-encoded")
		if err != nil || !bytes.Equal(again, labels) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// FuzzReadCIFAR: any bytes give whole records with labels in 0..9, or an error.
func FuzzReadCIFAR(f *testing.F) {
	good := cifarRecords(2)
	f.Add(good)
	f.Add(gz(f, good))
	f.Add(good[:CIFARRecordSize+7])
	f.Add([]byte{10})
	f.Fuzz(func(t *testing.T, b []byte) {
		pix, labels, err := ReadCIFAR(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		if len(pix) != len(labels)*cifarPixels {
			t.Fatalf("%d pixel bytes for %d labels", len(pix), len(labels))
		}
		for i, l := range labels {
			if l >= cifarClasses {
				t.Fatalf("label %d at %d", l, i)
			}
		}
	})
}
