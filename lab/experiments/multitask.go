package experiments

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/lab"
)

// Multitask is paper 2 (Lee & Ndirango 2019): single- and multitask teacher–student classification.
// In sweep mode it trains finite-data students over a grid of (n_train, n_aux, s_a, s_b, r, depth) ×
// seeds, in parallel, one result file per training, and reports the multitask benefit; in theory mode
// it integrates the online-learning ODEs and draws them beside one-pass SGD simulations.
type Multitask struct{}

// Name implements lab.Experiment.
func (Multitask) Name() string { return "multitask" }

// Summary implements lab.Experiment.
func (Multitask) Summary() string {
	return "paper 2: multitask teacher–student sweeps (benefit vs relatedness and signal) and the online theory"
}

// Run implements lab.Experiment.
func (m Multitask) Run(ctx context.Context, env *lab.Env) error {
	switch mode := env.Config().Multitask.Mode; mode {
	case "sweep":
		return mtRunSweep(ctx, env)
	case "theory":
		return mtRunOnline(ctx, env)
	default:
		return fmt.Errorf("multitask: unknown mode %q: choose sweep or theory", mode)
	}
}

// progressState is the Steerable face of a multitask run: there are no live settings, and a
// checkpoint records only how far it got (the results themselves are in the cell files).
type mtProgress struct {
	done int64
	name string
}

// Apply implements lab.Steerable.
func (p *mtProgress) Apply(name string, _ float64) (float64, error) {
	return 0, fmt.Errorf("the %s experiment has no live settings (%q); stop it and start again with other flags", p.name, name)
}

// Snapshot implements lab.Steerable.
func (p *mtProgress) Snapshot() (*checkpoint.Snapshot, error) {
	meta, err := json.Marshal(map[string]int64{"done": p.done})
	if err != nil {
		return nil, err
	}
	return &checkpoint.Snapshot{Step: p.done, Meta: meta}, nil
}
