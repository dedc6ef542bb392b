package data

import (
	"errors"
	"fmt"
	"io"
)

// CIFAR-10 binary record layout: 1 label byte, then the 32×32 red, green and blue planes.
const (
	cifarSide       = 32
	cifarPixels     = 3 * cifarSide * cifarSide // 3072
	CIFARRecordSize = 1 + cifarPixels           // 3073 bytes
	cifarClasses    = 10
	cifar100Record  = 2 + cifarPixels // CIFAR-100 has a coarse and a fine label byte
)

// ReadCIFAR decodes CIFAR-10 binary records (plain or gzipped) from r. pix holds the images one after
// another, each as 3 planes (R, G, B) of 32×32 bytes, row-major, which is the record layout minus the
// label byte, so len(pix) = 3072·len(labels). file names the source in error messages.
func ReadCIFAR(r io.Reader, file string) (pix, labels []byte, err error) {
	return readCIFAR(r, file, -1)
}

// ReadCIFARFile reads one CIFAR-10 batch file (e.g. data_batch_1.bin) from disk.
func ReadCIFARFile(path string) (pix, labels []byte, err error) {
	f, size, err := openPath(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return readCIFAR(f, path, size)
}

const cifarWant = "CIFAR-10 binary records of 3073 bytes (1 label byte in 0..9, then 1024 R, 1024 G, 1024 B bytes)"

func readCIFAR(r io.Reader, file string, size int64) (pix, labels []byte, err error) {
	src, err := unwrap(r, file, size)
	if err != nil {
		return nil, nil, err
	}
	if src.size >= 0 {
		if src.size%CIFARRecordSize != 0 {
			fe := &FormatError{File: file, Want: cifarWant,
				Got: fmt.Sprintf("a file of %d bytes, which is not a whole number of records", src.size)}
			if src.size%cifar100Record == 0 {
				fe.Fix = "this looks like CIFAR-100 (3074-byte records); only CIFAR-10 (the binary version) is supported"
			}
			return nil, nil, fe
		}
		if src.size > maxPayload {
			return nil, nil, &FormatError{File: file, Want: fmt.Sprintf("at most %d bytes", maxPayload),
				Got: fmt.Sprintf("a file of %d bytes", src.size), Fix: "split the file into batches of 10,000 records"}
		}
	}
	if src.size > 0 {
		n := int(src.size / CIFARRecordSize)
		pix, labels = make([]byte, 0, n*cifarPixels), make([]byte, 0, n)
	}
	rec := make([]byte, CIFARRecordSize)
	for i := 0; ; i++ {
		n, err := io.ReadFull(src.r, rec)
		if errors.Is(err, io.EOF) && n == 0 {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, &FormatError{File: file, Want: cifarWant,
					Got: fmt.Sprintf("%d whole records and then %d stray bytes", i, n),
					Fix: "the file is truncated (an interrupted download?): re-download it",
					Err: io.ErrUnexpectedEOF}
			}
			return nil, nil, src.streamError(err, cifarWant, i*CIFARRecordSize+n)
		}
		if rec[0] >= cifarClasses {
			return nil, nil, &FormatError{File: file, Want: cifarWant,
				Got: fmt.Sprintf("label %d in record %d (byte offset %d)", rec[0], i, i*CIFARRecordSize)}
		}
		if len(pix)+cifarPixels > maxPayload {
			return nil, nil, &FormatError{File: file, Want: fmt.Sprintf("at most %d bytes", maxPayload),
				Got: "a longer stream", Fix: "split the file into batches of 10,000 records"}
		}
		labels = append(labels, rec[0])
		pix = append(pix, rec[1:]...)
	}
	return pix, labels, nil
}
