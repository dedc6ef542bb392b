package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		doc  string
		want func(c *Config)
	}{
		{"empty file keeps defaults", "", func(*Config) {}},
		{"comments only", "# nothing\n\n", func(*Config) {}},
		{"one section", "[train]\nmodel = \"cnn\"\nepochs = 20\nlr = 0.1\nfull_data = true\n", func(c *Config) {
			c.Train.Model, c.Train.Epochs, c.Train.LR, c.Train.FullData = "cnn", 20, 0.1, true
		}},
		{"integer for a float", "[train]\nlr = 1\nmomentum = 0\n", func(c *Config) {
			c.Train.LR, c.Train.Momentum = 1, 0
		}},
		{"huge lr to watch divergence", "[train]\nlr = 1e4\n", func(c *Config) { c.Train.LR = 1e4 }},
		{"dotted keys at top level", "train.batch = 64\ntui.fps = 30\n", func(c *Config) {
			c.Train.Batch, c.TUI.FPS = 64, 30
		}},
		{"quoted keys and literal strings", "[\"lab\"]\n'runs_dir' = 'C:\\runs'\n", func(c *Config) {
			c.Lab.RunsDir = `C:\runs`
		}},
		{"inline table", "lab = { flush_every = \"250ms\" }\n", func(c *Config) {
			c.Lab.FlushEvery = 250 * time.Millisecond
		}},
		{"durations", "[lab]\nflush_every = \"1m\"\n", func(c *Config) { c.Lab.FlushEvery = time.Minute }},
		{"largest seed", "[train]\nseed = 9223372036854775807\n", func(c *Config) { c.Train.Seed = 1<<63 - 1 }},
		{"empty section", "[tui]\n", func(*Config) {}},
		{"CRLF line ends", "[train]\r\nepochs = 2\r\n", func(c *Config) { c.Train.Epochs = 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("config.toml", []byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			tc.want(&want)
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestParseErrors covers every kind of bad input; each want is the exact
// message a user sees.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		doc  string
		want string // errors joined by "\n"
	}{
		{"unknown key, a typo", "[train]\nepochs = 3\nmodle = \"cnn\"\n",
			`config.toml:3: train.modle: unknown setting: did you mean train.model?`},
		{"unknown key, not close to any", "[train]\n\nwarmup_steps = 100\n",
			"config.toml:3: train.warmup_steps: unknown setting: [train] has " + strings.Join(settingNames("train"), ", ")},
		{"key in the wrong section", "[tui]\nkeep_checkpoints = 3\n",
			`config.toml:2: tui.keep_checkpoints: unknown setting: keep_checkpoints belongs in [train], not [tui]`},
		{"unknown section", "[lab]\nruns_dir = \"r\"\n\n[nosuch]\nrate = 16000\n",
			`config.toml:4: nosuch: unknown section [nosuch]: the sections are ` + allSections},
		{"unknown section, a typo", "[trian]\nlr = 0.1\nepochs = 2\n",
			`config.toml:1: trian: unknown section [trian]: did you mean [train]? (the sections are ` + allSections + `)`},
		{"unknown section as dotted key", "\ntrian.lr = 0.1\n",
			`config.toml:2: trian: unknown section [trian]: did you mean [train]? (the sections are ` + allSections + `)`},
		{"setting outside its section", "lr = 0.1\n",
			`config.toml:1: lr: unknown top-level key: settings live in sections; write it under [train] as lr`},
		{"unknown top-level key", "verbose = true\n",
			`config.toml:1: verbose: unknown top-level key: settings live in the sections ` + allSections},
		{"section given a value", "train = 5\n",
			`config.toml:1: train = 5: must be a table: write [train] on a line of its own, then its settings, one per line`},
		{"array of tables", "[[train]]\nlr = 0.1\n",
			`config.toml:1: train = [[…]]: must be a table: write [train] on a line of its own, then its settings, one per line`},
		{"string for an integer", "[train]\nepochs = \"5\"\n",
			`config.toml:2: train.epochs = "5": must be an integer, not a string`},
		{"float for an integer", "[train]\nbatch = 64.0\n",
			`config.toml:2: train.batch = 64.0: must be an integer: write 64, without a decimal point or exponent`},
		{"fractional integer", "[train]\nbatch = 64.5\n",
			`config.toml:2: train.batch = 64.5: must be an integer, not a float`},
		{"string for a float", "[train]\nlr = \"0.1\"\n",
			`config.toml:2: train.lr = "0.1": must be a number, not a string`},
		{"number for a string", "[lab]\nruns_dir = 5\n",
			`config.toml:2: lab.runs_dir = 5: must be a string in quotes, not an integer`},
		{"string for a bool", "[train]\nfull_data = \"yes\"\n",
			`config.toml:2: train.full_data = "yes": must be true or false, not a string`},
		{"array for a float", "[train]\nlr = [0.1, 0.2]\n",
			`config.toml:2: train.lr = [0.1, 0.2]: must be a number, not an array`},
		{"table for a setting", "[train.model]\nname = \"cnn\"\n",
			`config.toml:1: train.model = {…}: must be one of mlp, cnn in quotes, not a table`},
		{"dotted key below a setting", "[train]\nmodel.name = \"cnn\"\n",
			`config.toml:2: train.model = {…}: must be one of mlp, cnn in quotes, not a table`},
		{"date for an integer", "[train]\nseed = 2026-01-02\n",
			`config.toml:2: train.seed = 2026-01-02: must be an integer, not a date or time`},
		{"date-time for a string", "[lab]\nruns_dir = 2026-01-02T03:04:05Z\n",
			`config.toml:2: lab.runs_dir = 2026-01-02T03:04:05Z: must be a string in quotes, not a date or time`},
		{"below range", "[train]\nepochs = 0\n",
			`config.toml:2: train.epochs = 0: must be between 1 and 1000`},
		{"above range", "[tui]\nfps = 31\n",
			`config.toml:2: tui.fps = 31: must be between 1 and 30`},
		{"open lower bound", "[train]\nlr = 0.0\n",
			`config.toml:2: train.lr = 0.0: must be greater than 0 and at most 1e+06`},
		{"above float range", "[train]\nlr = 2e6\n",
			`config.toml:2: train.lr = 2e+06: must be greater than 0 and at most 1e+06`},
		{"open upper bound", "[train]\nmomentum = 1.0\n",
			`config.toml:2: train.momentum = 1.0: must be at least 0 and less than 1`},
		{"negative seed", "[train]\nseed = -1\n",
			`config.toml:2: train.seed = -1: must be at least 0`},
		{"nan", "[tui]\nsmoothing = nan\n",
			`config.toml:2: tui.smoothing = nan: must be a finite number`},
		{"infinity", "[train]\nlr = inf\n",
			`config.toml:2: train.lr = inf: must be a finite number`},
		{"bad enum", "[train]\n\n\n\n\n\n\n\n\n\n\nmodel = \"resnet\"\n",
			`config.toml:12: train.model = "resnet": must be one of mlp, cnn`},
		{"enum case matters", "[train]\ndata = \"MNIST\"\n",
			`config.toml:2: train.data = "MNIST": must be one of mnist, fashion, cifar`},
		{"bad duration", "[lab]\nflush_every = \"1 second\"\n",
			`config.toml:2: lab.flush_every = "1 second": must be a duration such as "1s", "250ms" or "2m" (units: ns, us, ms, s, m, h)`},
		{"duration without unit", "[lab]\nflush_every = 1\n",
			`config.toml:2: lab.flush_every = 1: must be a duration in quotes, such as "1s" or "250ms", not an integer`},
		{"duration out of range", "[lab]\nflush_every = \"10ms\"\n",
			`config.toml:2: lab.flush_every = "10ms": must be between 100ms and 1m`},
		{"NUL in a path", "[lab]\nruns_dir = \"a\\u0000b\"\n",
			`config.toml:2: lab.runs_dir = "a\u0000b": must not contain a NUL byte`},
		{"syntax error: missing value", "[train]\nepochs = \n",
			`config.toml:2: syntax error: expected value but found '\n' instead`},
		{"syntax error: unclosed table", "[lab]\nruns_dir = \"r\"\n[train\n",
			`config.toml:3: syntax error: expected '.' or ']' to end table name, but got '\n' instead`},
		{"syntax error: duplicate key", "[train]\nlr = 0.1\nlr = 0.2\n",
			`config.toml:3: syntax error: Key 'train.lr' has already been defined.`},
		{"syntax error: unterminated string", "[train]\nmodel = \"cnn\n",
			`config.toml:2: syntax error: strings cannot contain newlines`},
		{"several problems, in file order", "[train]\nepochs = 0\nmodel = \"x\"\n[tui]\nfps = 0\n[nope]\n",
			"config.toml:2: train.epochs = 0: must be between 1 and 1000\n" +
				"config.toml:3: train.model = \"x\": must be one of mlp, cnn\n" +
				"config.toml:5: tui.fps = 0: must be between 1 and 30\n" +
				"config.toml:6: nope: unknown section [nope]: the sections are " + allSections},
		{"line after a multi-line string", "[lab]\nruns_dir = \"\"\"\nx = 1\n[tui]\n\"\"\"\n[train]\nbatch = 0\n",
			`config.toml:7: train.batch = 0: must be between 1 and 4096`},
		{"line after a multi-line array", "[train]\nlr = [\n  1,\n  2,\n]\nbatch = 0\n",
			"config.toml:2: train.lr = [1, 2]: must be a number, not an array\n" +
				"config.toml:6: train.batch = 0: must be between 1 and 4096"},
		{"inline table", "train = { epochs = 0 }\n",
			`config.toml:1: train.epochs = 0: must be between 1 and 1000`},
		{"quoted section named like a key", "[\"train.lr\"]\n[train]\nlr = 0\n",
			"config.toml:1: train.lr: unknown section [train.lr]: did you mean [train]? (the sections are " + allSections + ")\n" +
				"config.toml:3: train.lr = 0: must be greater than 0 and at most 1e+06"},
		{"long value is shortened", "[train]\nmodel = \"" + strings.Repeat("a", 100) + "\"\n",
			`config.toml:2: train.model = "` + strings.Repeat("a", 59) + `…: must be one of mlp, cnn`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("config.toml", []byte(tc.doc))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error:\n got %s\nwant %s", got, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %T does not wrap an *Error and ErrInvalid", err)
			}
		})
	}
}

func TestParseSyntaxErrorWrapsToml(t *testing.T) {
	t.Parallel()
	_, err := Parse("x.toml", []byte("a = = 1"))
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want it to wrap toml.ParseError", err)
	}
}

func TestParseErrorCap(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("[train]\n")
	for i := range 30 {
		b.WriteString("k" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + " = 1\n")
	}
	_, err := Parse("config.toml", []byte(b.String()))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || lines[maxErrors] != "config: config.toml: 10 more problems not shown" {
		t.Errorf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "my.toml")
	if err := os.WriteFile(path, []byte("[train]\nepochs = 2\nbatch = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || err.Error() != path+":3: train.batch = 0: must be between 1 and 4096" {
		t.Errorf("Load: err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing): err = %v, want os.ErrNotExist", err)
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(big): err = %v", err)
	}
}

func TestKeyLines(t *testing.T) {
	t.Parallel()
	doc := strings.Join([]string{
		`# header = 1`,                 // 1
		`top = 1`,                      // 2
		`[a]`,                          // 3
		`x = "s # not a comment"`,      // 4
		`"quoted key" = 2`,             // 5
		`b.c = """`,                    // 6
		`fake = 1`,                     // 7
		`"""`,                          // 8
		`arr = [`,                      // 9
		`  "]", { in = 1 },  # ] here`, // 10
		`]`,                            // 11
		`[ a . 'd' ]`,                  // 12
		`y = '''x'''`,                  // 13
		`z = 1`,                        // 14
		`[[t]]`,                        // 15
		`[[t]]`,                        // 16
		`w = 'it''s'`,                  // 17 (invalid TOML, but must not confuse the scanner)
	}, "\n")
	lines := keyLines(doc)
	for _, tc := range []struct {
		key  []string
		want int
	}{
		{[]string{"header"}, 0},
		{[]string{"top"}, 2},
		{[]string{"a"}, 3},
		{[]string{"a", "x"}, 4},
		{[]string{"a", "quoted key"}, 5},
		{[]string{"a", "b"}, 6},
		{[]string{"a", "b", "c"}, 6},
		{[]string{"a", "fake"}, 3}, // inside a string: falls back to [a]
		{[]string{"a", "arr"}, 9},
		{[]string{"a", "arr", "in"}, 9},
		{[]string{"a", "d"}, 12},
		{[]string{"a", "d", "y"}, 13},
		{[]string{"a", "d", "z"}, 14},
		{[]string{"t"}, 15},
		{[]string{"t", "w"}, 17},
		{[]string{"nope"}, 0},
	} {
		if got := lineOf(lines, tc.key); got != tc.want {
			t.Errorf("lineOf(%q) = %d, want %d", tc.key, got, tc.want)
		}
	}
}

// allSections is how the errors list the config's sections.
var allSections = func() string {
	var names []string
	for _, s := range Sections() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}()
