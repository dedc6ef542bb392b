package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Options says where data comes from.
type Options struct {
	Dir  string // user's --data-dir: a folder holding the 4 IDX files (or CIFAR .bin files); "" = auto
	Full bool   // prefer the full set found on disk over the built-in subset
}

// dataset describes one of the image sets Load knows.
type dataset struct {
	key        string // "mnist", "fashion", "cifar": the Set name prefix and the built-in folder
	title      string // "MNIST", for messages
	classNames []string
	fullDir    func() (string, error) // where Full looks; nil for CIFAR
	builtin    bool
}

// lookup resolves a data set name, accepting common spellings ("fashion-mnist", "cifar10", "CIFAR-10").
func lookup(name string) (dataset, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "mnist":
		return dataset{
			key: "mnist", title: "MNIST", builtin: true,
			classNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
			fullDir:    GoMNISTDataDir,
		}, nil
	case "fashion", "fashion-mnist", "fashionmnist", "fashion_mnist":
		return dataset{
			key: "fashion", title: "Fashion-MNIST", builtin: true,
			classNames: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
				"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
			fullDir: fashionDir,
		}, nil
	case "cifar", "cifar10", "cifar-10", "cifar_10":
		return dataset{
			key: "cifar", title: "CIFAR-10",
			classNames: []string{"airplane", "automobile", "bird", "cat", "deer",
				"dog", "frog", "horse", "ship", "truck"},
		}, nil
	}
	return dataset{}, fmt.Errorf("data: unknown data set %q: use mnist, fashion or cifar", name)
}

// fashionDir returns FashionDir if Debian's package is installed there.
func fashionDir() (string, error) {
	if hasMNIST(FashionDir) {
		return FashionDir, nil
	}
	return "", fmt.Errorf("data: full Fashion-MNIST not found in %s: %w; install it with "+
		"`apt-get install dataset-fashion-mnist`, or point --data-dir at a folder holding its 4 IDX files",
		FashionDir, fs.ErrNotExist)
}

// Load returns the train and test sets of "mnist", "fashion" or "cifar", and a one-line description
// of where they came from (e.g. "built-in MNIST subset: 20000 train / 2000 test (embedded)").
//
// With opt.Dir set, the files come from that folder (for CIFAR-10 also from its cifar-10-batches-bin
// subfolder). Otherwise MNIST and Fashion-MNIST come from the built-in subsets, or with opt.Full from
// the full sets on disk (GoMNISTDataDir, FashionDir); if no full set is found Load falls back to the
// built-in subset and says so in origin. CIFAR-10 is never built in and needs opt.Dir. Missing files
// give errors that match fs.ErrNotExist; damaged files give *FormatError (ErrFormat).
func Load(name string, opt Options) (train, test *Set, origin string, err error) {
	ds, err := lookup(name)
	if err != nil {
		return nil, nil, "", err
	}
	if ds.key == "cifar" {
		return loadCIFAR(ds, opt.Dir)
	}
	if opt.Dir != "" {
		train, test, err = loadIDXDir(ds, os.DirFS(opt.Dir), opt.Dir)
		if err != nil {
			return nil, nil, "", err
		}
		return train, test, fmt.Sprintf("%s from %s: %d train / %d test", ds.title, opt.Dir, train.N, test.N), nil
	}
	note := ""
	if opt.Full {
		dir, ferr := ds.fullDir()
		if ferr == nil {
			train, test, err = loadIDXDir(ds, os.DirFS(dir), dir)
			if err != nil {
				return nil, nil, "", err
			}
			return train, test, fmt.Sprintf("full %s from %s: %d train / %d test", ds.title, dir, train.N, test.N), nil
		}
		note = "; full set not found on disk"
	}
	sub, err := builtinSub(ds.key)
	if err == nil {
		train, test, err = loadIDXDir(ds, sub, "builtin/"+ds.key+" (embedded)")
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("data: built-in %s subset is unreadable (rebuild logitlab from a clean checkout): %w", ds.title, err)
	}
	return train, test, fmt.Sprintf("built-in %s subset: %d train / %d test (embedded%s)", ds.title, train.N, test.N, note), nil
}

// idxNames lists the file names accepted for one IDX file, best first: the canonical gzipped and plain
// names, and the dotted variant some mirrors use ("train-images.idx3-ubyte").
func idxNames(base string) []string {
	dotted := strings.Replace(base, "-idx", ".idx", 1)
	return []string{base + ".gz", base, dotted + ".gz", dotted}
}

// idxFileList is the advice naming the four files a folder must hold.
const idxFileList = "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz " +
	"and t10k-labels-idx1-ubyte.gz (gzipped or not)"

// findFile returns the first of names present in fsys.
func findFile(fsys fs.FS, dir string, title string, names []string) (string, error) {
	for _, n := range names {
		if st, err := fs.Stat(fsys, n); err == nil && !st.IsDir() {
			return n, nil
		}
	}
	return "", fmt.Errorf("data: %s: no %s in %s: %w; point --data-dir at a folder holding %s",
		title, strings.Join(names, " or "), dir, fs.ErrNotExist, idxFileList)
}

// loadIDXDir loads the train and test splits of an MNIST-format folder. dir is how messages name it.
func loadIDXDir(ds dataset, fsys fs.FS, dir string) (train, test *Set, err error) {
	train, err = loadIDXSplit(ds, fsys, dir, "train", "train")
	if err != nil {
		return nil, nil, err
	}
	test, err = loadIDXSplit(ds, fsys, dir, "t10k", "test")
	if err != nil {
		return nil, nil, err
	}
	if train.H != test.H || train.W != test.W {
		return nil, nil, &FormatError{File: dir, Want: fmt.Sprintf("test images of the train images' size %d×%d", train.H, train.W),
			Got: fmt.Sprintf("%d×%d", test.H, test.W), Fix: "the folder mixes files of two data sets: re-download them"}
	}
	return train, test, nil
}

// loadIDXSplit reads one split's images and labels ("train" or "t10k" files) and builds its Set.
func loadIDXSplit(ds dataset, fsys fs.FS, dir, prefix, split string) (*Set, error) {
	imgName, err := findFile(fsys, dir, ds.title, idxNames(prefix+"-images-idx3-ubyte"))
	if err != nil {
		return nil, err
	}
	lblName, err := findFile(fsys, dir, ds.title, idxNames(prefix+"-labels-idx1-ubyte"))
	if err != nil {
		return nil, err
	}
	imgShow, lblShow := filepath.Join(dir, imgName), filepath.Join(dir, lblName)

	f, size, err := openFS(fsys, imgName, imgShow)
	if err != nil {
		return nil, err
	}
	im, err := readIDXImages(f, imgShow, size)
	f.Close()
	if err != nil {
		return nil, err
	}
	f, size, err = openFS(fsys, lblName, lblShow)
	if err != nil {
		return nil, err
	}
	labels, err := readIDXLabels(f, lblShow, size)
	f.Close()
	if err != nil {
		return nil, err
	}
	if im.N != len(labels) {
		return nil, &FormatError{File: imgShow + " and " + lblShow, Want: "as many labels as images",
			Got: fmt.Sprintf("%d images and %d labels", im.N, len(labels)),
			Fix: "the two files come from different data sets or one is damaged: re-download both"}
	}
	if im.N == 0 {
		return nil, &FormatError{File: imgShow, Want: "at least one image", Got: "none",
			Fix: "the file holds no images: re-download it"}
	}
	return newSet(ds.key+"/"+split, 1, im.Rows, im.Cols, im.Pix, labels, ds.classNames, lblShow)
}

// cifarTestFile is the test batch of the official binary archive (cifar-10-binary.tar.gz); the train
// batches are data_batch_1.bin … data_batch_5.bin.
const cifarTestFile = "test_batch.bin"

const cifarAdvice = "download the binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html, " +
	"unpack it and point --data-dir at the folder holding data_batch_1.bin … data_batch_5.bin and test_batch.bin"

// loadCIFAR loads CIFAR-10 from dir or its cifar-10-batches-bin subfolder.
func loadCIFAR(ds dataset, dir string) (train, test *Set, origin string, err error) {
	if dir == "" {
		return nil, nil, "", fmt.Errorf("data: CIFAR-10 is not built in and cannot be fetched here (%w); %s", fs.ErrNotExist, cifarAdvice)
	}
	if _, err := os.Stat(filepath.Join(dir, cifarTestFile)); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, "cifar-10-batches-bin", cifarTestFile)); err == nil {
			dir = filepath.Join(dir, "cifar-10-batches-bin")
		}
	}
	var pix, labels []byte
	for b := 1; b <= 5; b++ {
		p, l, err := readCIFARInDir(dir, fmt.Sprintf("data_batch_%d.bin", b))
		if err != nil {
			return nil, nil, "", err
		}
		pix, labels = append(pix, p...), append(labels, l...)
	}
	train, err = newSet(ds.key+"/train", 3, cifarSide, cifarSide, pix, labels, ds.classNames, filepath.Join(dir, "data_batch_*.bin"))
	if err != nil {
		return nil, nil, "", err
	}
	pix, labels, err = readCIFARInDir(dir, cifarTestFile)
	if err != nil {
		return nil, nil, "", err
	}
	test, err = newSet(ds.key+"/test", 3, cifarSide, cifarSide, pix, labels, ds.classNames, filepath.Join(dir, cifarTestFile))
	if err != nil {
		return nil, nil, "", err
	}
	return train, test, fmt.Sprintf("%s from %s: %d train / %d test", ds.title, dir, train.N, test.N), nil
}

// readCIFARInDir reads one batch file, turning a missing file into advice.
func readCIFARInDir(dir, name string) (pix, labels []byte, err error) {
	path := filepath.Join(dir, name)
	f, size, err := openPath(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; %s", err, cifarAdvice)
	}
	defer f.Close()
	return readCIFAR(f, path, size)
}
