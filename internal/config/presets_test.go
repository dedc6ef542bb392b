package config

import (
	"strings"
	"testing"
	"time"
)

// TestPresets checks every preset of every experiment: it applies cleanly to the defaults, leaves
// other sections alone, and gives a valid config.
func TestPresets(t *testing.T) {
	t.Parallel()
	for _, exp := range []string{"train", "multitask", "logits", "distill", "audio"} {
		ps := Presets(exp)
		if len(ps) != 2 || ps[0].Name != "quick demo" || ps[1].Name != "paper-like" {
			t.Errorf("%s: presets %v, want quick demo then paper-like", exp, ps)
			continue
		}
		for _, p := range ps {
			t.Run(exp+"/"+p.Name, func(t *testing.T) {
				t.Parallel()
				if p.Help == "" || strings.HasSuffix(p.Help, ".") || p.Section != exp {
					t.Errorf("help %q / section %q", p.Help, p.Section)
				}
				for k := range p.Values {
					if !strings.HasPrefix(k, exp+".") {
						t.Errorf("key %s is outside [%s]", k, exp)
					}
				}
				c := Default()
				c.Lab.FlushEvery = 2 * time.Second // another section: kept
				if err := p.Apply(&c); err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if err := c.Validate(); err != nil {
					t.Fatalf("Validate after Apply: %v", err)
				}
				if c.Lab.FlushEvery != 2*time.Second {
					t.Error("Apply changed another section")
				}
				for k, v := range p.Values {
					want := Default()
					if err := want.Set(k, v); err != nil {
						t.Fatal(err)
					}
					wv, _ := want.Value(k)
					if got, _ := c.Value(k); got != wv {
						t.Errorf("%s = %v, want %v", k, got, wv)
					}
				}
			})
		}
	}
	if Presets("nope") != nil {
		t.Error("an unknown experiment has presets")
	}
}

func TestPresetResetsItsSection(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Set("train.lr", "0.5"); err != nil {
		t.Fatal(err)
	}
	if err := Presets("train")[0].Apply(&c); err != nil {
		t.Fatal(err)
	}
	if c.Train.LR != 1e-3 || c.Train.Epochs != 2 {
		t.Errorf("after the quick demo preset lr = %g, epochs = %d; want the default 0.001 and 2", c.Train.LR, c.Train.Epochs)
	}
	bad := Preset{Name: "bad", Section: "train", Values: map[string]string{"train.epochs": "0"}}
	before := c
	err := bad.Apply(&c)
	if err == nil || !strings.Contains(err.Error(), "train.epochs = 0: must be between 1 and 1000") {
		t.Errorf("bad preset: err = %v", err)
	}
	if c != before {
		t.Error("a failed Apply changed the config")
	}
	if got := Presets("logits")[0].Overrides(); got[0] != "logits.curve_eps=0,0.1,0.2" {
		t.Errorf("Overrides not sorted: %v", got)
	}
}

// TestText checks that Text round-trips through Set for every setting's default and a few others.
func TestText(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Train.LR, c.Lab.FlushEvery, c.Train.FullData = 1e-7, 1500*time.Millisecond, true
	for _, p := range Params() {
		text, ok := c.Text(p.Name())
		if !ok {
			t.Fatalf("%s: no text", p.Name())
		}
		d := Default()
		if err := d.Set(p.Name(), text); err != nil {
			t.Errorf("%s: Set(Text) = %v", p.Name(), err)
			continue
		}
		if got, _ := d.Value(p.Name()); got != p.get(&c) {
			t.Errorf("%s: Text %q gives %v, want %v", p.Name(), text, got, p.get(&c))
		}
	}
	if _, ok := c.Text("no.such"); ok {
		t.Error("Text of an unknown key")
	}
}
