// Command cutbuiltin cuts the built-in MNIST and Fashion-MNIST subsets that package data embeds.
//
// It reads the full IDX files and, for each split, keeps the first k samples of every class in file
// order (k = size/10), in their original order, so the subsets are exactly class-balanced. It writes
// them as gzipped IDX files (compress/gzip, BestCompression, no file name, zero modification time), so
// two runs give identical bytes, and writes SHA256SUMS beside them. Run it through scripts/cut-builtin,
// which finds the inputs.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/logitlab/logitlab/data"
)

// split is one subset to cut: the full files it comes from and how many samples it keeps.
type split struct {
	set    string // "mnist" or "fashion": the output folder
	in     string // full-data folder
	images string // base name without ".gz", e.g. "train-images-idx3-ubyte"
	labels string
	keep   int // samples to keep, a multiple of classes
}

const classes = 10

func main() {
	mnist := flag.String("mnist", "", "folder holding the full MNIST IDX .gz files (the GoMNIST module's data/)")
	fashion := flag.String("fashion", "/usr/share/datasets/fashion-mnist", "folder holding the full Fashion-MNIST IDX .gz files")
	out := flag.String("out", "data/builtin", "output folder")
	flag.Parse()
	if *mnist == "" {
		fmt.Fprintln(os.Stderr, "cutbuiltin: -mnist is required (scripts/cut-builtin finds it with go list -m)")
		os.Exit(2)
	}
	splits := []split{
		{"mnist", *mnist, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 20000},
		{"mnist", *mnist, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 2000},
		{"fashion", *fashion, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 5000},
		{"fashion", *fashion, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 1000},
	}
	sums := map[string][]byte{}
	for _, s := range splits {
		if err := cut(s, *out, sums); err != nil {
			fmt.Fprintln(os.Stderr, "cutbuiltin:", err)
			os.Exit(1)
		}
	}
	var manifest strings.Builder
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&manifest, "%x  %s\n", sums[n], n)
	}
	if err := writeFileAtomic(filepath.Join(*out, "SHA256SUMS"), []byte(manifest.String())); err != nil {
		fmt.Fprintln(os.Stderr, "cutbuiltin:", err)
		os.Exit(1)
	}
}

// cut writes one split's subset and records the output files' SHA-256 in sums (keyed by the path
// relative to the output folder).
func cut(s split, out string, sums map[string][]byte) error {
	imgPath := filepath.Join(s.in, s.images+".gz")
	lblPath := filepath.Join(s.in, s.labels+".gz")
	im, err := data.ReadIDXImagesFile(imgPath)
	if err != nil {
		return err
	}
	labels, err := data.ReadIDXLabelsFile(lblPath)
	if err != nil {
		return err
	}
	if im.N != len(labels) {
		return fmt.Errorf("%s has %d images but %s has %d labels", imgPath, im.N, lblPath, len(labels))
	}
	idx, err := balanced(labels, s.keep)
	if err != nil {
		return fmt.Errorf("%s: %w", lblPath, err)
	}
	d := im.Rows * im.Cols
	sub := &data.Images{N: len(idx), Rows: im.Rows, Cols: im.Cols, Pix: make([]byte, 0, len(idx)*d)}
	subLabels := make([]byte, 0, len(idx))
	hist := make([]int, classes)
	for _, i := range idx {
		sub.Pix = append(sub.Pix, im.Pix[i*d:(i+1)*d]...)
		subLabels = append(subLabels, labels[i])
		hist[labels[i]]++
	}
	var imgBuf, lblBuf bytes.Buffer
	if err := data.WriteIDXImages(&imgBuf, sub); err != nil {
		return err
	}
	if err := data.WriteIDXLabels(&lblBuf, subLabels); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		raw  []byte
	}{{s.images, imgBuf.Bytes()}, {s.labels, lblBuf.Bytes()}} {
		gz, err := gzipDeterministic(f.raw)
		if err != nil {
			return err
		}
		rel := s.set + "/" + f.name + ".gz"
		if err := os.MkdirAll(filepath.Join(out, s.set), 0o755); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(out, filepath.FromSlash(rel)), gz); err != nil {
			return err
		}
		sum := sha256.Sum256(gz)
		sums[rel] = sum[:]
		fmt.Printf("%-45s %9d bytes (from %d raw)\n", rel, len(gz), len(f.raw))
	}
	fmt.Printf("%-45s class histogram %v (last source index %d)\n", s.set+"/"+s.images, hist, idx[len(idx)-1])
	return nil
}

// balanced returns, in increasing order, the indices of the first keep/classes samples of each class.
func balanced(labels []byte, keep int) ([]int, error) {
	per := keep / classes
	taken := make([]int, classes)
	idx := make([]int, 0, keep)
	for i, l := range labels {
		if int(l) >= classes {
			return nil, fmt.Errorf("label %d at index %d is not in [0, %d)", l, i, classes)
		}
		if taken[l] < per {
			taken[l]++
			idx = append(idx, i)
			if len(idx) == per*classes {
				return idx, nil
			}
		}
	}
	return nil, fmt.Errorf("only %v samples per class, want %d of each", taken, per)
}

// gzipDeterministic compresses b at BestCompression with an empty header (no name, zero mod time),
// so the output depends only on b and the Go release's compress/flate.
func gzipDeterministic(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFileAtomic writes b to path through a fsynced temporary file and a rename, so the folder holds
// the old file or the new one, never a torn one.
func writeFileAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, bytes.NewReader(b)); err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err = d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}
