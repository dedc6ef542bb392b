package data

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// idxUint8 is the IDX type code for unsigned bytes, the only element type MNIST-format files use.
const idxUint8 = 0x08

// idxImageMagic and idxLabelMagic are the magic numbers of uint8 idx3 and idx1 files.
const (
	idxImageMagic = 0x00000803
	idxLabelMagic = 0x00000801
)

// Images is a decoded idx3 file: N grey-scale images of Rows×Cols bytes, row-major, one after another.
type Images struct {
	N, Rows, Cols int
	Pix           []byte // len N*Rows*Cols; 0 is background, 255 is ink
}

// ReadIDXImages decodes an idx3 uint8 image file (plain or gzipped; gzip is detected by its magic bytes)
// from r. file names the source in error messages. Faults in the data give a *FormatError.
func ReadIDXImages(r io.Reader, file string) (*Images, error) {
	return readIDXImages(r, file, -1)
}

// ReadIDXLabels decodes an idx1 uint8 label file (plain or gzipped) from r; see ReadIDXImages.
func ReadIDXLabels(r io.Reader, file string) ([]byte, error) {
	return readIDXLabels(r, file, -1)
}

// ReadIDXImagesFile reads an idx3 image file from disk. For a plain file it checks the file length
// against the header before allocating anything.
func ReadIDXImagesFile(path string) (*Images, error) {
	f, size, err := openPath(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readIDXImages(f, path, size)
}

// ReadIDXLabelsFile reads an idx1 label file from disk.
func ReadIDXLabelsFile(path string) ([]byte, error) {
	f, size, err := openPath(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readIDXLabels(f, path, size)
}

func readIDXImages(r io.Reader, file string, size int64) (*Images, error) {
	dims, pix, err := readIDX(r, file, size, 3)
	if err != nil {
		return nil, err
	}
	if dims[1] == 0 || dims[2] == 0 {
		return nil, &FormatError{File: file, Want: "images of at least 1×1 pixels",
			Got: fmt.Sprintf("%d×%d", dims[1], dims[2])}
	}
	return &Images{N: dims[0], Rows: dims[1], Cols: dims[2], Pix: pix}, nil
}

func readIDXLabels(r io.Reader, file string, size int64) ([]byte, error) {
	_, labels, err := readIDX(r, file, size, 1)
	return labels, err
}

// describeMagic names what an IDX magic number means, for error messages.
func describeMagic(m [4]byte) string {
	s := fmt.Sprintf("magic 0x%02x%02x%02x%02x", m[0], m[1], m[2], m[3])
	if m[0] != 0 || m[1] != 0 {
		return s + " (not an IDX file)"
	}
	typ := map[byte]string{0x08: "uint8", 0x09: "int8", 0x0b: "int16", 0x0c: "int32", 0x0d: "float32", 0x0e: "float64"}[m[2]]
	if typ == "" {
		typ = fmt.Sprintf("unknown type 0x%02x", m[2])
	}
	return fmt.Sprintf("%s (IDX %s, %d dimension(s))", s, typ, m[3])
}

// readIDX reads an IDX file of uint8 elements with ndims dimensions and returns its dimensions and
// payload. size is the plain length of r when known (else -1): then a header that disagrees with it is
// rejected before any allocation.
func readIDX(r io.Reader, file string, size int64, ndims int) ([]int, []byte, error) {
	src, err := unwrap(r, file, size)
	if err != nil {
		return nil, nil, err
	}
	wantMagic := uint32(idxLabelMagic)
	kind := "IDX label file"
	if ndims == 3 {
		wantMagic = idxImageMagic
		kind = "IDX image file"
	}
	wantHead := fmt.Sprintf("an %s: magic 0x%08x (uint8, %d dimension(s)) and a %d-byte header", kind, wantMagic, ndims, 4+4*ndims)

	var m [4]byte
	if n, err := io.ReadFull(src.r, m[:]); err != nil {
		return nil, nil, src.streamError(err, wantHead, n)
	}
	if binary.BigEndian.Uint32(m[:]) != wantMagic {
		fe := &FormatError{File: file, Want: wantHead, Got: describeMagic(m)}
		switch {
		case m[0] == 0 && m[1] == 0 && m[2] == idxUint8 && (m[3] == 1 || m[3] == 3):
			fe.Fix = "this is an IDX file of the other kind: check that the images and labels files are not swapped"
		case m[0] == 0 && m[1] == 0:
			fe.Fix = "this IDX file holds another element type or shape than MNIST-format images and labels; use the MNIST-format files"
		}
		return nil, nil, fe
	}
	hdr := make([]byte, 4*ndims)
	if n, err := io.ReadFull(src.r, hdr); err != nil {
		return nil, nil, src.streamError(err, wantHead, 4+n)
	}
	dims := make([]int, ndims)
	total := 1
	for i := range dims {
		d := binary.BigEndian.Uint32(hdr[4*i:])
		dims[i] = int(d)
		if d != 0 && total > maxPayload/int(d) {
			return nil, nil, &FormatError{File: file, Want: fmt.Sprintf("at most %d bytes of data", maxPayload),
				Got: fmt.Sprintf("a header with dimensions %v", headerDims(hdr)),
				Fix: "the header is damaged: re-download the file"}
		}
		total *= int(d)
	}
	headLen := 4 + 4*ndims
	wantData := fmt.Sprintf("%d data bytes after the header (dimensions %v)", total, dims)
	if src.size >= 0 && src.size != int64(headLen+total) {
		got := fmt.Sprintf("a file of %d bytes, %d after the header", src.size, src.size-int64(headLen))
		fix := "the file is truncated (an interrupted download?): re-download it"
		if src.size > int64(headLen+total) {
			fix = "the file is longer than its header says: it is damaged or not this kind of file; re-download it"
		}
		return nil, nil, &FormatError{File: file, Want: wantData, Got: got, Fix: fix}
	}
	payload, err := src.readN(total, wantData)
	if err != nil {
		return nil, nil, err
	}
	if err := src.expectEnd(wantData, total); err != nil {
		return nil, nil, err
	}
	return dims, payload, nil
}

// headerDims decodes the raw dimension words for an error message.
func headerDims(hdr []byte) []uint32 {
	out := make([]uint32, len(hdr)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(hdr[4*i:])
	}
	return out
}

// WriteIDXImages writes im as a plain (uncompressed) idx3 uint8 file.
func WriteIDXImages(w io.Writer, im *Images) error {
	if im.N < 0 || im.Rows <= 0 || im.Cols <= 0 || len(im.Pix) != im.N*im.Rows*im.Cols {
		return fmt.Errorf("data: write IDX images: %d pixels do not make %d images of %d×%d", len(im.Pix), im.N, im.Rows, im.Cols)
	}
	return writeIDX(w, idxImageMagic, []int{im.N, im.Rows, im.Cols}, im.Pix)
}

// WriteIDXLabels writes labels as a plain idx1 uint8 file.
func WriteIDXLabels(w io.Writer, labels []byte) error {
	return writeIDX(w, idxLabelMagic, []int{len(labels)}, labels)
}

func writeIDX(w io.Writer, magic uint32, dims []int, payload []byte) error {
	hdr := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return fmt.Errorf("data: write IDX: dimension %d does not fit the 32-bit header", d)
		}
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("data: write IDX header: %w", err)
	}
	if _, err := w.Write(payload); err != nil {
		return fmt.Errorf("data: write IDX data: %w", err)
	}
	return nil
}
