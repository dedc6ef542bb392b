package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the repository's config.toml from the registry")

// rootFile is the documented config.toml at the repository root.
const rootFile = "../../config.toml"

// TestConfigFile keeps the committed config.toml equal to DefaultFile.
// Rewrite it with: go test ./internal/config -run TestConfigFile -update
func TestConfigFile(t *testing.T) {
	want := DefaultFile()
	if *update {
		// Not WriteFileAtomic: the config package must not depend on fsutil
		// for a developer command; a failed write is visible in git.
		if err := os.WriteFile(rootFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rootFile)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./internal/config -run TestConfigFile -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the registry; run: go test ./internal/config -run TestConfigFile -update", rootFile)
	}
	c, err := Load(rootFile)
	if err != nil {
		t.Fatal(err)
	}
	if c != Default() {
		t.Errorf("loading %s gives %+v, want Default()", rootFile, c)
	}
}

func TestTOMLRoundTrip(t *testing.T) {
	t.Parallel()
	configs := []Config{Default()}
	c := Default()
	c.Lab.RunsDir = "dir with \"quotes\", \\backslash\\, tab\t, ünïcode ✓ and \x01"
	c.Lab.FlushEvery = 1500 * time.Millisecond
	c.Train.DataDir = "/data/mnist"
	c.Train.FullData = true
	c.Train.Model, c.Train.Data, c.Train.Optimizer = "cnn", "cifar", "sgd"
	c.Train.LR, c.Train.Momentum, c.Train.WeightDecay = 1e-6, 0.999999, 5e-4
	c.Train.Seed = 1<<63 - 1
	c.Train.Epochs, c.Train.Batch, c.Train.EvalEvery = 1000, 1, 1_000_000
	c.TUI.FPS, c.TUI.Smoothing = 30, 0
	configs = append(configs, c)
	for i, c := range configs {
		b, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse("run.toml", b)
		if err != nil {
			t.Fatalf("config %d: TOML() does not parse: %v\n%s", i, err, b)
		}
		if got != c {
			t.Errorf("config %d: round trip\n got %+v\nwant %+v", i, got, c)
		}
	}
	bad := Default()
	bad.Train.DataDir = "caf\xe9"
	if _, err := bad.TOML(); !errors.Is(err, ErrInvalid) {
		t.Errorf("TOML() with invalid UTF-8: err = %v", err)
	}
}
