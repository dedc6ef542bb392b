package config

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// canonical is the Go type of each kind's values.
var canonical = map[Kind]reflect.Type{
	KindInt:      reflect.TypeFor[int64](),
	KindFloat:    reflect.TypeFor[float64](),
	KindString:   reflect.TypeFor[string](),
	KindPath:     reflect.TypeFor[string](),
	KindBool:     reflect.TypeFor[bool](),
	KindDuration: reflect.TypeFor[time.Duration](),
	KindEnum:     reflect.TypeFor[string](),
}

// TestRegistry checks every entry for the mistakes a new section could make.
func TestRegistry(t *testing.T) {
	t.Parallel()
	secs := map[string]bool{}
	for _, s := range Sections() {
		if secs[s.Name] || s.Help == "" {
			t.Errorf("section %q is repeated or has no help", s.Name)
		}
		secs[s.Name] = true
	}
	seen := map[string]bool{}
	fields := map[any]string{}
	var c Config
	for _, p := range Params() {
		name := p.Name()
		if seen[name] {
			t.Errorf("%s: listed twice", name)
		}
		seen[name] = true
		if !secs[p.Section] {
			t.Errorf("%s: section %q is not in sections()", name, p.Section)
		}
		for _, r := range p.Key {
			if !isBare(byte(r)) || r > 127 {
				t.Errorf("%s: key must be a bare TOML key", name)
			}
		}
		if p.Help == "" || strings.HasSuffix(p.Help, ".") || strings.Contains(p.Help, "\n") {
			t.Errorf("%s: help must be one line without a final period: %q", name, p.Help)
		}
		want := canonical[p.Kind]
		if want == nil {
			t.Fatalf("%s: unknown kind %v", name, p.Kind)
		}
		for what, v := range map[string]any{"Default": p.Default, "Min": p.Min, "Max": p.Max} {
			if v != nil && reflect.TypeOf(v) != want {
				t.Errorf("%s: %s is %T, want %v", name, what, v, want)
			}
		}
		if (p.Min != nil || p.Max != nil) && p.Kind != KindInt && p.Kind != KindFloat && p.Kind != KindDuration {
			t.Errorf("%s: bounds on a %v setting", name, p.Kind)
		}
		if (p.Kind == KindEnum) != (len(p.Choices) > 0) {
			t.Errorf("%s: choices belong to enums only, and every enum needs them", name)
		}
		if msg := p.check(p.Default); msg != "" {
			t.Errorf("%s: default %v is not allowed: %s", name, p.Default, msg)
		}
		ptr := p.field(&c)
		if other, dup := fields[ptr]; dup {
			t.Errorf("%s: shares its Config field with %s", name, other)
		}
		fields[ptr] = name
		// get and set agree with the kind.
		p.set(&c, p.Default)
		if got := p.get(&c); got != p.Default {
			t.Errorf("%s: set(default) then get = %v, want %v", name, got, p.Default)
		}
		if _, isInt := ptr.(*int); isInt {
			if p.Min == nil || p.Max == nil || p.Min.(int64) < math.MinInt32 || p.Max.(int64) > math.MaxInt32 {
				t.Errorf("%s: an int field needs bounds within int32 to be portable", name)
			}
		}
	}
	// Every Config field has a setting.
	var count func(v reflect.Value) int
	count = func(v reflect.Value) int {
		if v.Kind() != reflect.Struct {
			return 1
		}
		n := 0
		for i := range v.NumField() {
			n += count(v.Field(i))
		}
		return n
	}
	if n := count(reflect.ValueOf(c)); n != len(fields) {
		t.Errorf("Config has %d fields but the registry covers %d", n, len(fields))
	}
	// Every section is a Config field.
	if got := reflect.TypeFor[Config]().NumField(); got != len(secs) {
		t.Errorf("Config has %d sections, sections() lists %d", got, len(secs))
	}
}

func TestDefault(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	want := Config{
		Lab: LabConfig{RunsDir: "runs", FlushEvery: time.Second},
		Train: TrainConfig{Data: "mnist", Model: "mlp", Epochs: 10, Batch: 128, LR: 1e-3, LRSchedule: "cosine", AugmentShift: 1, MaxLoss: 1000,
			Optimizer: "adam", Momentum: 0.9, Seed: 1, CheckpointEvery: 200, KeepCheckpoints: 3},
		TUI: TUIConfig{FPS: 10, Smoothing: 0.6, Theme: "dark"},
	}
	// Sections added later are checked by TestRegistry (each default is valid and round-trips).
	if c.Lab != want.Lab || c.Train != want.Train || c.TUI != want.TUI {
		t.Errorf("Default() = %+v\nwant        %+v", c, want)
	}
}

func TestLookupAndValue(t *testing.T) {
	t.Parallel()
	p, ok := Lookup("train.lr")
	if !ok || p.Kind != KindFloat || !p.Live || p.Allowed() != "(0, 1e+06]" {
		t.Errorf("Lookup(train.lr) = %+v, %v", p, ok)
	}
	if _, ok := Lookup("train"); ok {
		t.Error("Lookup(train) found a setting")
	}
	c := Default()
	c.Train.Epochs = 7
	if v, ok := c.Value("train.epochs"); !ok || v != int64(7) {
		t.Errorf("Value(train.epochs) = %v, %v; want int64 7", v, ok)
	}
	if v, ok := c.Value("lab.flush_every"); !ok || v != time.Second {
		t.Errorf("Value(lab.flush_every) = %v, %v", v, ok)
	}
	if _, ok := c.Value("nope.nope"); ok {
		t.Error("Value of an unknown key succeeded")
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, allowed, words string }{
		{"train.epochs", "1..1000", "between 1 and 1000"},
		{"train.lr", "(0, 1e+06]", "greater than 0 and at most 1e+06"},
		{"train.momentum", "[0, 1)", "at least 0 and less than 1"},
		{"train.seed", ">= 0", "at least 0"},
		{"lab.flush_every", "100ms..1m", "between 100ms and 1m"},
		{"train.model", "mlp|cnn", ""},
	} {
		p, _ := Lookup(tc.key)
		if got := p.Allowed(); got != tc.allowed {
			t.Errorf("%s: Allowed() = %q, want %q", tc.key, got, tc.allowed)
		}
		if tc.words != "" && p.rangeWords() != tc.words {
			t.Errorf("%s: rangeWords() = %q, want %q", tc.key, p.rangeWords(), tc.words)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	h := Help()
	for _, p := range Params() {
		if !strings.Contains(h, p.Name()) {
			t.Errorf("Help() lacks %s", p.Name())
		}
	}
	if !strings.Contains(h, "(live)") {
		t.Error("Help() does not mark live settings")
	}
}
