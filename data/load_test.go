package data

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkSet asserts a Set's shape, labels and pixel range.
func checkSet(t *testing.T, s *Set, name string, n, c, h, w int) {
	t.Helper()
	if s.Name != name || s.N != n || s.C != c || s.H != h || s.W != w {
		t.Fatalf("%s: got %q %d×%d×%d×%d", name, s.Name, s.N, s.C, s.H, s.W)
	}
	if len(s.Pixels) != n*c*h*w || len(s.Labels) != n || s.Classes != 10 || len(s.ClassNames) != 10 {
		t.Fatalf("%s: %d pixels, %d labels, %d classes, %d names", name, len(s.Pixels), len(s.Labels), s.Classes, len(s.ClassNames))
	}
	for i, p := range s.Pixels {
		if !(p >= 0 && p <= 1) {
			t.Fatalf("%s: pixel %d = %v outside [0,1]", name, i, p)
		}
	}
}

func TestLoadBuiltin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		nTrain, nTest   int
		origin, class3  string
		perTrain, perTe int // every class holds this many (the cut is class-balanced)
	}{
		{"mnist", 20000, 2000, "built-in MNIST subset: 20000 train / 2000 test (embedded)", "3", 2000, 200},
		{"fashion", 5000, 1000, "built-in Fashion-MNIST subset: 5000 train / 1000 test (embedded)", "Dress", 500, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			train, test, origin, err := Load(tc.name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if origin != tc.origin {
				t.Errorf("origin %q, want %q", origin, tc.origin)
			}
			checkSet(t, train, tc.name+"/train", tc.nTrain, 1, 28, 28)
			checkSet(t, test, tc.name+"/test", tc.nTest, 1, 28, 28)
			if train.ClassNames[3] != tc.class3 {
				t.Errorf("class 3 is %q, want %q", train.ClassNames[3], tc.class3)
			}
			for _, x := range []struct {
				s   *Set
				per int
			}{{train, tc.perTrain}, {test, tc.perTe}} {
				for c, k := range x.s.ClassCounts() {
					if k != x.per {
						t.Errorf("%s: class %d has %d samples, want %d", x.s.Name, c, k, x.per)
					}
				}
			}
			if mx := slices.Max(train.Pixels); mx != 1 {
				t.Errorf("brightest pixel %v, want 1 (byte 255)", mx)
			}
		})
	}
}

// TestBuiltinChecksums: the embedded files are the ones scripts/cut-builtin recorded.
func TestBuiltinChecksums(t *testing.T) {
	t.Parallel()
	f, err := builtinFS.Open("builtin/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad SHA256SUMS line %q", sc.Text())
		}
		b, err := fs.ReadFile(builtinFS, "builtin/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != sum {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s; re-run scripts/cut-builtin", name, got, sum)
		}
		n++
	}
	if n != 8 {
		t.Errorf("SHA256SUMS lists %d files, want 8", n)
	}
	for _, name := range []string{"mnist", "fashion"} {
		if s, err := BuiltinNotice(name); err != nil || !strings.Contains(s, "Copyright") {
			t.Errorf("BuiltinNotice(%q) = %.40q, %v", name, s, err)
		}
	}
	if _, err := BuiltinNotice("cifar"); err == nil {
		t.Error("BuiltinNotice(cifar) gave no error")
	}
}

// writeIDXDir writes a synthetic MNIST-format folder: nTrain/nTest images of 3×2 with labels i%10.
// names maps the canonical base name to the file name to use ("" = base + ".gz"). badLabel, if ≥ 0,
// is written as the last test label.
func writeIDXDir(t *testing.T, dir string, nTrain, nTrainLabels, nTest int, testRows uint32, names map[string]string, badLabel int) {
	t.Helper()
	write := func(base string, raw []byte) {
		name, ok := names[base]
		if !ok {
			name = base + ".gz"
		}
		if name == "-" {
			return
		}
		b := raw
		if strings.HasSuffix(name, ".gz") {
			b = gz(t, raw)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	labels := func(n int) []byte {
		l := make([]byte, n)
		for i := range l {
			l[i] = byte(i % 10)
		}
		return l
	}
	testLabels := labels(nTest)
	if badLabel >= 0 {
		testLabels[nTest-1] = byte(badLabel)
	}
	write("train-images-idx3-ubyte", idxBytes(idxImageMagic, []uint32{uint32(nTrain), 3, 2}, seq(nTrain*6)))
	write("train-labels-idx1-ubyte", idxBytes(idxLabelMagic, []uint32{uint32(nTrainLabels)}, labels(nTrainLabels)))
	write("t10k-images-idx3-ubyte", idxBytes(idxImageMagic, []uint32{uint32(nTest), testRows, 2}, seq(nTest*int(testRows)*2)))
	write("t10k-labels-idx1-ubyte", idxBytes(idxLabelMagic, []uint32{uint32(nTest)}, testLabels))
}

func TestLoadDir(t *testing.T) {
	t.Parallel()
	mixed := map[string]string{"train-labels-idx1-ubyte": "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte": "t10k-images.idx3-ubyte.gz"}
	for _, tc := range []struct {
		name                   string
		nTrain, nLabels, nTest int
		testRows               uint32
		names                  map[string]string
		badLabel               int
		wantErr                error
		wantMsg                string
	}{
		{"gzipped", 12, 12, 5, 3, nil, -1, nil, ""},
		{"plain and dotted names", 12, 12, 5, 3, mixed, -1, nil, ""},
		{"missing file", 12, 12, 5, 3, map[string]string{"t10k-labels-idx1-ubyte": "-"}, -1, fs.ErrNotExist, "--data-dir"},
		{"count mismatch", 12, 11, 5, 3, nil, -1, ErrFormat, "12 images and 11 labels"},
		{"label out of range", 12, 12, 5, 3, nil, 10, ErrFormat, "label 10 at index 4"},
		{"image sizes differ", 12, 12, 5, 4, nil, -1, ErrFormat, "3×2"},
		{"no images", 0, 0, 5, 3, nil, -1, ErrFormat, "at least one image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeIDXDir(t, dir, tc.nTrain, tc.nLabels, tc.nTest, tc.testRows, tc.names, tc.badLabel)
			train, test, origin, err := Load("Fashion-MNIST", Options{Dir: dir, Full: true})
			checkErr(t, err, tc.wantErr, tc.wantMsg, dir)
			if tc.wantErr != nil {
				return
			}
			checkSet(t, train, "fashion/train", 12, 1, 3, 2)
			checkSet(t, test, "fashion/test", 5, 1, 3, 2)
			if want := fmt.Sprintf("Fashion-MNIST from %s: 12 train / 5 test", dir); origin != want {
				t.Errorf("origin %q, want %q", origin, want)
			}
			if got, want := train.Image(11)[5], float32(11*6+5)/255; got != want || test.Labels[4] != 4 {
				t.Errorf("train image 11 pixel 5 = %v (want %v), test label 4 = %d", got, want, test.Labels[4])
			}
		})
	}
}

// writeCIFARDir writes the six batch files, each with n records, into dir.
func writeCIFARDir(t *testing.T, dir string, n int, skip string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		if name == skip {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), cifarRecords(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadCIFAR(t *testing.T) {
	t.Parallel()
	if _, _, _, err := Load("cifar", Options{Full: true}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "--data-dir") {
		t.Errorf("CIFAR without a folder: %v", err)
	}

	root := t.TempDir()
	writeCIFARDir(t, filepath.Join(root, "cifar-10-batches-bin"), 3, "")
	train, test, origin, err := Load("CIFAR-10", Options{Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	checkSet(t, train, "cifar/train", 15, 3, 32, 32)
	checkSet(t, test, "cifar/test", 3, 3, 32, 32)
	if !strings.Contains(origin, "cifar-10-batches-bin: 15 train / 3 test") {
		t.Errorf("origin %q", origin)
	}
	// Train sample 4 is record 1 of data_batch_2: label 1, byte j of its planes is (1+j) mod 256.
	// Pixel (c=1 green, y=0, x=5) is plane byte 1024+5.
	if img := train.Image(4); train.Labels[4] != 1 || img[1024+5] != float32((1+1024+5)%256)/255 || train.ClassNames[1] != "automobile" {
		t.Errorf("train sample 4: label %d, green(0,5) = %v", train.Labels[4], img[1024+5])
	}

	missing := t.TempDir()
	writeCIFARDir(t, missing, 1, "data_batch_3.bin")
	if _, _, _, err := Load("cifar", Options{Dir: missing}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "data_batch_3.bin") {
		t.Errorf("missing batch: %v", err)
	}
}

func TestLoadUnknown(t *testing.T) {
	t.Parallel()
	if _, _, _, err := Load("imagenet", Options{}); err == nil || !strings.Contains(err.Error(), "mnist, fashion or cifar") {
		t.Errorf("Load(imagenet): %v", err)
	}
}

// TestLoadFullFallback: with Full but no full set reachable (empty caches, no go tool), Load falls back
// to the built-in subset and says so.
func TestLoadFullFallback(t *testing.T) {
	empty := t.TempDir()
	for _, k := range []string{"GOMODCACHE", "GOPATH", "HOME", "PATH"} {
		t.Setenv(k, empty)
	}
	_, _, origin, err := Load("mnist", Options{Full: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "built-in MNIST subset: 20000 train / 2000 test (embedded; full set not found on disk)"; origin != want {
		t.Errorf("origin %q, want %q", origin, want)
	}
}

// TestLoadFull reads the full sets where this machine has them (the GoMNIST module, Debian's
// dataset-fashion-mnist). Class counts are from research/data.md §1 and Fashion-MNIST's paper.
func TestLoadFull(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 70,000-image sets")
	}
	for _, tc := range []struct {
		name   string
		hist   []int
		skipIf func() error
	}{
		{"mnist", []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, func() error { _, err := GoMNISTDataDir(); return err }},
		{"fashion", []int{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, func() error { _, err := fashionDir(); return err }},
	} {
		if err := tc.skipIf(); err != nil {
			t.Logf("skipping full %s: %v", tc.name, err)
			continue
		}
		train, test, origin, err := Load(tc.name, Options{Full: true})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(origin, "full ") || train.N != 60000 || test.N != 10000 {
			t.Errorf("%s: %q, %d train, %d test", tc.name, origin, train.N, test.N)
		}
		if got := train.ClassCounts(); !slices.Equal(got, tc.hist) {
			t.Errorf("%s train histogram %v, want %v", tc.name, got, tc.hist)
		}
		t.Log(origin)
	}
}
