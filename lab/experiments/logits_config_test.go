package experiments

import (
	"math"
	"slices"
	"testing"

	"github.com/logitlab/logitlab/internal/config"
)

// TestResolveLogitsPreset: a preset fills in the settings left at their defaults, and an explicit
// value wins.
func TestResolveLogitsPreset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(*config.LogitsConfig)
		eps    float64
		steps  int
		epochs int
		full   bool
	}{
		{"none keeps the defaults", func(c *config.LogitsConfig) {}, 0.1, 5, 5, false},
		{"madry-mnist", func(c *config.LogitsConfig) { c.Preset = "madry-mnist" }, 0.3, 40, 10, true},
		{"explicit values win", func(c *config.LogitsConfig) { c.Preset, c.Eps, c.Epochs = "madry-mnist", 0.2, 3 }, 0.2, 40, 3, true},
		{"fast-mnist", func(c *config.LogitsConfig) { c.Preset = "fast-mnist" }, 0.1, 5, 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default().Logits
			tc.edit(&c)
			got, changed, err := resolveLogits(c)
			if err != nil {
				t.Fatal(err)
			}
			if got.Eps != tc.eps || got.AttackSteps != tc.steps || got.Epochs != tc.epochs || got.FullData != tc.full {
				t.Errorf("eps %v steps %d epochs %d full %v (changed %v)", got.Eps, got.AttackSteps, got.Epochs, got.FullData, changed)
			}
			if tc.name == "fast-mnist" && (got.Method != "fast" || got.AttackStep != 0.125) {
				t.Errorf("fast-mnist: method %q step %v", got.Method, got.AttackStep)
			}
		})
	}
	c := config.Default().Logits
	c.Preset = "bogus"
	if _, _, err := resolveLogits(c); err == nil {
		t.Error("unknown preset accepted")
	}
}

func TestParseEpsList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []float64
		ok   bool
	}{
		{"0,0.1, 0.3 ,0.1", []float64{0, 0.1, 0.3}, true},
		{"", nil, true},
		{" , ", nil, true},
		{"0.1,abc", nil, false},
		{"1.5", nil, false},
		{"-0.1", nil, false},
		{"NaN", nil, false},
	} {
		got, err := parseEpsList("curve_eps", tc.in)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("parseEpsList(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestNumJSON(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{0, -1.5, 1e-300, math.NaN(), math.Inf(1), math.Inf(-1)} {
		b, err := num(v).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back num
		if err := back.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if float64(back) != v && !(math.IsNaN(v) && math.IsNaN(float64(back))) {
			t.Errorf("%v → %s → %v", v, b, back)
		}
	}
}
