package config

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key, value string
		want       func(c *Config) // nil: an error is expected
		err        string
	}{
		{"train.model", "cnn", func(c *Config) { c.Train.Model = "cnn" }, ""},
		{"train.lr", "1e-2", func(c *Config) { c.Train.LR = 0.01 }, ""},
		{"train.lr", "10000", func(c *Config) { c.Train.LR = 1e4 }, ""},
		{"train.epochs", " 12 ", func(c *Config) { c.Train.Epochs = 12 }, ""},
		{"train.full_data", "true", func(c *Config) { c.Train.FullData = true }, ""},
		{"lab.flush_every", "250ms", func(c *Config) { c.Lab.FlushEvery = 250 * time.Millisecond }, ""},
		{"lab.runs_dir", "/tmp/my runs", func(c *Config) { c.Lab.RunsDir = "/tmp/my runs" }, ""},
		{"train.data_dir", "", func(c *Config) { c.Train.DataDir = "" }, ""},
		{"train.seed", "9223372036854775807", func(c *Config) { c.Train.Seed = math.MaxInt64 }, ""},

		{"train.model", "resnet", nil, `flag train.model = "resnet": must be one of mlp, cnn`},
		{"train.epochs", "0", nil, `flag train.epochs = 0: must be between 1 and 1000`},
		{"train.epochs", "abc", nil, `flag train.epochs = "abc": must be an integer`},
		{"train.epochs", "5.0", nil, `flag train.epochs = "5.0": must be an integer`},
		{"train.seed", "9223372036854775808", nil, `flag train.seed = "9223372036854775808": must be an integer`},
		{"train.lr", "0", nil, `flag train.lr = 0: must be greater than 0 and at most 1e+06`},
		{"train.lr", "NaN", nil, `flag train.lr = NaN: must be a finite number`},
		{"train.lr", "fast", nil, `flag train.lr = "fast": must be a number, such as 0.01 or 1e-3`},
		{"train.full_data", "yes", nil, `flag train.full_data = "yes": must be true or false`},
		{"lab.flush_every", "1", nil, `flag lab.flush_every = "1": must be a duration such as 1s, 250ms or 2m (units: ns, us, ms, s, m, h)`},
		{"lab.flush_every", "2m", nil, `flag lab.flush_every = "2m": must be between 100ms and 1m`},
		{"train.modle", "cnn", nil, `flag train.modle: unknown setting: did you mean train.model?`},
		{"lr", "0.1", nil, `flag lr: unknown setting: did you mean train.lr?`},
		{"tui.checkpoint_every", "5", nil, `flag tui.checkpoint_every: unknown setting: did you mean train.checkpoint_every?`},
		{"x.y", "1", nil, "flag x.y: unknown setting: the settings are " + strings.Join(settingNames(""), ", ")},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			c := Default()
			err := c.Set(tc.key, tc.value)
			if tc.want == nil {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err:\n got %v\nwant %s", err, tc.err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Source != "flag" || e.Line != 0 {
					t.Errorf("err is not a flag *Error: %#v", err)
				}
				if c != Default() {
					t.Error("a failed Set changed the config")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			tc.want(&want)
			if c != want {
				t.Errorf("got  %+v\nwant %+v", c, want)
			}
		})
	}
}

func TestSetArg(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.SetArg("train.optimizer=sgd"); err != nil || c.Train.Optimizer != "sgd" {
		t.Errorf("SetArg: err %v, optimizer %q", err, c.Train.Optimizer)
	}
	if err := c.SetArg("lab.runs_dir=a=b"); err != nil || c.Lab.RunsDir != "a=b" {
		t.Errorf("SetArg with = in the value: err %v, runs_dir %q", err, c.Lab.RunsDir)
	}
	err := c.SetArg("train.lr")
	if err == nil || err.Error() != "flag train.lr: want section.key=value, such as train.lr=0.01" {
		t.Errorf("SetArg without '=': err %v", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Train.Batch = 0
	c.Train.Model = "resnet"
	c.TUI.Smoothing = math.Inf(1)
	c.Lab.FlushEvery = 0
	err := c.Validate()
	want := strings.Join([]string{
		`config: lab.flush_every = "0s": must be between 100ms and 1m`,
		`config: train.model = "resnet": must be one of mlp, cnn`,
		`config: train.batch = 0: must be between 1 and 4096`,
		`config: tui.smoothing = inf: must be a finite number`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("Validate:\n got %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("Validate error does not wrap ErrInvalid")
	}
	if err := (Config{}).Validate(); err == nil {
		t.Error("the zero Config validated")
	}
}

// settingNames lists "section.key" of every setting (of one section, when section is not "", as bare
// keys), in registry order — what the unknown-setting errors list.
func settingNames(section string) []string {
	var out []string
	for _, p := range Params() {
		switch {
		case section == "":
			out = append(out, p.Name())
		case p.Section == section:
			out = append(out, p.Key)
		}
	}
	return out
}
