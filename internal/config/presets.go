package config

import (
	"fmt"
	"sort"
	"strings"
)

// Preset is a named set of settings for one experiment: the launcher applies one with a key press
// (1: quick demo, 2: paper-like), and a command line can pass Overrides as --set flags.
type Preset struct {
	Name    string            // "quick demo", "paper-like"
	Help    string            // one line, lowercase, no final period
	Section string            // the table Apply resets to its defaults before setting Values
	Values  map[string]string // "section.key" → value as typed on a command line
}

// Presets returns the presets of an experiment, the quick demo first and the paper-like one second,
// or nil when it has none. Each call builds them afresh, so callers may change what they get.
//
// Quick demos finish in about a minute or less on 2 cores (fewer epochs, seeds and samples);
// paper-like presets are the registry defaults or the experiment's own named preset, which follow
// the papers' setups as far as the built-in data allows.
func Presets(experiment string) []Preset {
	quick := func(help string, values map[string]string) Preset {
		return Preset{Name: "quick demo", Help: help, Section: experiment, Values: values}
	}
	paper := func(help string, values map[string]string) Preset {
		return Preset{Name: "paper-like", Help: help, Section: experiment, Values: values}
	}
	switch experiment {
	case "train":
		return []Preset{
			quick("2 epochs of the mlp on the built-in mnist subset: a few seconds",
				map[string]string{"train.epochs": "2"}),
			paper("the defaults: 10 epochs, adam 1e-3 with cosine decay, ±1 px shifts (test accuracy about 0.973)",
				map[string]string{}),
		}
	case "multitask":
		return []Preset{
			quick("the smoke grid: a few students, seconds",
				map[string]string{"multitask.preset": "smoke"}),
			paper("a sub-grid of the authors' sweep: about 20 minutes on 2 idle cores",
				map[string]string{"multitask.preset": "paper"}),
		}
	case "logits":
		return []Preset{
			quick("1 epoch, 1 seed, 5,000 training samples, a light evaluation attack: about a minute",
				map[string]string{
					"logits.epochs": "1", "logits.seeds": "1", "logits.train_samples": "5000",
					"logits.eval_samples": "200", "logits.eval_steps": "10", "logits.eval_restarts": "1",
					"logits.stats_samples": "1000", "logits.curve_eps": "0,0.1,0.2", "logits.sweep_eps": "",
				}),
			paper("madry-mnist: pgd-40 at eps 0.3 with step 0.01 on full mnist, as in Madry et al. (2018)",
				map[string]string{"logits.preset": "madry-mnist"}),
		}
	case "distill":
		return []Preset{
			quick("1 teacher epoch, 1 student epoch, 1 seed, 5,000 training samples, a light evaluation attack",
				map[string]string{
					"distill.teacher_epochs": "1", "distill.epochs": "1", "distill.seeds": "1",
					"distill.train_samples": "5000", "distill.eval_samples": "100",
					"distill.eval_steps": "10", "distill.eval_restarts": "1",
				}),
			paper("the defaults: teachers and students trained 5 epochs over 3 seeds, pgd-40 evaluation with 2 restarts",
				map[string]string{}),
		}
	case "audio":
		return []Preset{
			quick("5 labels per class, 1 seed, single and multi, 30 steps each",
				map[string]string{
					"audio.regimes": "5", "audio.seeds": "1", "audio.conditions": "single,multi",
					"audio.steps": "30", "audio.pretrain_steps": "30", "audio.eval_max": "40",
				}),
			paper("the paper's label regimes 5, 10, 20 and 50 per class over 5 paired seeds",
				map[string]string{"audio.regimes": "5,10,20,50", "audio.seeds": "5"}),
		}
	}
	return nil
}

// Apply resets p.Section to its registry defaults, then sets p.Values through Set. On error c is
// left unchanged and the error is Set's, naming the key.
func (p Preset) Apply(c *Config) error {
	next := *c
	for _, q := range params() {
		if q.Section == p.Section {
			q.set(&next, q.Default)
		}
	}
	for _, kv := range p.Overrides() {
		key, value, _ := strings.Cut(kv, "=")
		if err := next.Set(key, value); err != nil {
			return fmt.Errorf("preset %q: %w", p.Name, err)
		}
	}
	*c = next
	return nil
}

// Overrides returns p.Values as sorted "section.key=value" strings, as --set takes them.
func (p Preset) Overrides() []string {
	keys := make([]string, 0, len(p.Values))
	for k := range p.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + p.Values[k]
	}
	return out
}
