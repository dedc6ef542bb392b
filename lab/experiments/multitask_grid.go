package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/theory"
)

// MultitaskGrid is the sweep of the multitask experiment: every combination of the lists, times
// Seeds seeds, with the settings that are the same for every cell.
type MultitaskGrid struct {
	NTrain, NAux []int // NAux empty: equal to n_train
	SA, SB, R    []float64
	Depth        []int
	Seeds        int
	Seed         int64
	Fixed        MultitaskFixed
}

// MultitaskFixed holds the settings shared by every cell; its fingerprint guards a shared cells
// folder against mixing results made with different settings.
type MultitaskFixed struct {
	D          int     `json:"d"`
	Rank       int     `json:"rank"`
	Classes    int     `json:"classes"`
	NoiseScale float64 `json:"noise_scale"`
	Validation string  `json:"validation"`
	Flip1      float64 `json:"flip1"`
	Flip2      float64 `json:"flip2"`
	ExpValues  bool    `json:"exp_values"`
	Randomize  bool    `json:"randomize"`
	NTest      int     `json:"n_test"`
	Trunk      string  `json:"trunk"`
	Width      int     `json:"width"`
	LR         float64 `json:"lr"`
	Batch      int     `json:"batch"`
	Epochs     int     `json:"epochs"`
	Patience   int     `json:"patience"`
}

// Fingerprint is a short hash of the fixed settings.
func (f MultitaskFixed) Fingerprint() string {
	b, _ := json.Marshal(f)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// Presets of the grid. "paper" is a sub-grid of the authors' (rank 10; n 100–3200; s 0.01…10;
// r 0…1) sized to run in well under an hour on 2 cores with the lab's OpenBLAS build (about 2,400 s
// of training at 0.25 ms per step, so 20 minutes with 2 workers on an idle machine): n = 200, 800
// (the cells of the authors' released numbers) and 3200; a clean task 1 (s_a = 10; with the default
// noise and noisy validation labels a noisy task 1 learns nothing in 2000 epochs at lr 1e-3); task-2
// strengths 0.01, 0.158, 2.51, 10; r = 0, 0.5, 1; 5 seeds.
var multitaskPresets = map[string]struct {
	nTrain, nAux, depth []int
	sa, sb, r           []float64
	seeds               int
	epochs              int // 0: keep the configured epochs
}{
	"paper": {nTrain: []int{200, 800, 3200}, sa: []float64{10}, sb: []float64{0.01, 0.158, 2.51, 10}, r: []float64{0, 0.5, 1},
		depth: []int{2}, seeds: 5},
	"smoke": {nTrain: []int{64}, sa: []float64{10}, sb: []float64{10}, r: []float64{0, 1}, depth: []int{1},
		seeds: 2, epochs: 5},
}

// MultitaskGridFromConfig builds the grid from the [multitask] settings (a preset replaces the lists).
func MultitaskGridFromConfig(c config.MultitaskConfig) (MultitaskGrid, error) {
	g := MultitaskGrid{Seeds: c.Seeds, Seed: c.Seed, Fixed: MultitaskFixed{
		D: c.D, Rank: c.Rank, Classes: c.Classes, NoiseScale: c.NoiseScale, Validation: c.Validation,
		Flip1: c.Flip1, Flip2: c.Flip2, ExpValues: c.ExpValues, Randomize: c.Randomize, NTest: c.NTest,
		Trunk: c.Trunk, Width: c.Width, LR: c.LR, Batch: c.Batch, Epochs: c.Epochs, Patience: c.Patience,
	}}
	var err error
	if p, ok := multitaskPresets[c.Preset]; ok {
		g.NTrain, g.NAux, g.SA, g.SB, g.R, g.Depth, g.Seeds = p.nTrain, p.nAux, p.sa, p.sb, p.r, p.depth, p.seeds
		if p.epochs > 0 {
			g.Fixed.Epochs = p.epochs
		}
	} else {
		if g.NTrain, err = mtParseInts("multitask.n_train", c.NTrain, 1); err != nil {
			return g, err
		}
		if strings.TrimSpace(c.NAux) != "" {
			if g.NAux, err = mtParseInts("multitask.n_aux", c.NAux, 1); err != nil {
				return g, err
			}
		}
		if g.SA, err = mtParseFloats("multitask.s_a", c.SA, 0, math.Inf(1), true); err != nil {
			return g, err
		}
		if g.SB, err = mtParseFloats("multitask.s_b", c.SB, 0, math.Inf(1), true); err != nil {
			return g, err
		}
		if g.R, err = mtParseFloats("multitask.r", c.R, 0, 1, false); err != nil {
			return g, err
		}
		if g.Depth, err = mtParseInts("multitask.depth", c.Depth, 1); err != nil {
			return g, err
		}
	}
	if len(g.Jobs()) == 0 {
		return g, fmt.Errorf("multitask: the grid has no valid cell: every n_aux (%v) is below every n_train (%v); "+
			"the authors take n_aux/n_train task-2 steps per task-1 step, so n_aux must be ≥ n_train", g.NAux, g.NTrain)
	}
	// The generator's own checks (rank ≤ d/2, …) are worded for the user; run them once up front.
	_, err = theory.Generate(g.taskParams(MultitaskJob{NTrain: 1, NAux: 1, SA: 1, SB: 1, Depth: 1}))
	return g, err
}

// splitList returns the trimmed, non-empty fields of a comma-separated list.
func mtSplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func mtParseInts(name, s string, lo int) ([]int, error) {
	var out []int
	for _, f := range mtSplitList(s) {
		v, err := strconv.Atoi(f)
		if err != nil || v < lo {
			return nil, fmt.Errorf("%s = %q: %q is not an integer ≥ %d; give a comma-separated list like 100,800", name, s, f, lo)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty: give at least one value", name)
	}
	return mtDedup(out), nil
}

func mtParseFloats(name, s string, lo, hi float64, openLo bool) ([]float64, error) {
	var out []float64
	for _, f := range mtSplitList(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < lo || (openLo && v == lo) || v > hi {
			lim := fmt.Sprintf("in [%g, %g]", lo, hi)
			if openLo {
				lim = fmt.Sprintf("above %g", lo)
			}
			return nil, fmt.Errorf("%s = %q: %q is not a number %s", name, s, f, lim)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty: give at least one value", name)
	}
	return mtDedup(out), nil
}

func mtDedup[T int | float64](xs []T) []T {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// MultitaskJob is one training: the single-task baseline of (n_train, s_a, depth, seed), or the
// multitask student of a full cell and seed. Single-task results are shared by every cell with the
// same (n_train, s_a, depth, seed): the task-1 data do not depend on the task-2 settings.
type MultitaskJob struct {
	Multi  bool    `json:"multi"`
	NTrain int     `json:"n_train"`
	NAux   int     `json:"n_aux,omitempty"` // multi only
	SA     float64 `json:"s_a"`
	SB     float64 `json:"s_b,omitempty"` // multi only
	R      float64 `json:"r,omitempty"`   // multi only
	Depth  int     `json:"depth"`
	Seed   int64   `json:"seed"`
}

// Name is the job's file name in the cells folder (without extension); it identifies the job.
func (j MultitaskJob) Name() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	if !j.Multi {
		return fmt.Sprintf("single_n%d_sa%s_depth%d_seed%d", j.NTrain, f(j.SA), j.Depth, j.Seed)
	}
	return fmt.Sprintf("multi_n%d_aux%d_sa%s_sb%s_r%s_depth%d_seed%d", j.NTrain, j.NAux, f(j.SA), f(j.SB), f(j.R), j.Depth, j.Seed)
}

// baseline returns the single-task job a multitask job is compared with.
func (j MultitaskJob) baseline() MultitaskJob {
	return MultitaskJob{NTrain: j.NTrain, SA: j.SA, Depth: j.Depth, Seed: j.Seed}
}

// cost estimates a job's training time in units of one minibatch step of a one-layer trunk: per
// epoch, ⌈n_train/batch⌉ task-1 steps, as many task-2 steps per task-1 step as n_aux/n_train, and a
// validation pass (a forward pass costs about a third of a step); a layer of the trunk adds one unit.
func (j MultitaskJob) cost(f MultitaskFixed) float64 {
	batch := max(f.Batch, 1)
	steps := float64((j.NTrain + batch - 1) / batch)
	if j.Multi {
		steps *= 1 + float64(j.NAux/j.NTrain)
	}
	val := float64((f.NTest+127)/128) / 3
	return float64(max(f.Epochs, 1)) * (steps + val) * float64(j.Depth+1) / 2
}

// Jobs lists every training of the grid, each once, in a fixed order: the grid order of the cells
// (n_train, n_aux, s_a, s_b, r, depth), seeds innermost, each single-task baseline just before the
// first multitask job that needs it.
func (g MultitaskGrid) Jobs() []MultitaskJob {
	var out []MultitaskJob
	seen := map[string]bool{}
	for _, n := range g.NTrain {
		auxes := g.NAux
		if len(auxes) == 0 {
			auxes = []int{n}
		}
		for _, aux := range auxes {
			if aux < n {
				continue
			}
			for _, sa := range g.SA {
				for _, sb := range g.SB {
					for _, r := range g.R {
						for _, depth := range g.Depth {
							for s := 0; s < g.Seeds; s++ {
								j := MultitaskJob{Multi: true, NTrain: n, NAux: aux, SA: sa, SB: sb, R: r, Depth: depth, Seed: g.Seed + int64(s)}
								if b := j.baseline(); !seen[b.Name()] {
									seen[b.Name()] = true
									out = append(out, b)
								}
								out = append(out, j)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// Shard is slice I (1-based) of N of a grid.
type MultitaskShard struct{ I, N int }

// ParseShard reads "i/N" (1 ≤ i ≤ N); "" is the whole grid (1/1).
func ParseMultitaskShard(s string) (MultitaskShard, error) {
	if strings.TrimSpace(s) == "" {
		return MultitaskShard{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return MultitaskShard{}, fmt.Errorf("multitask.shard = %q: write it i/N with 1 ≤ i ≤ N, e.g. 2/8", s)
	}
	return MultitaskShard{i, n}, nil
}

// Select returns the shard's jobs: the jobs sorted by decreasing cost are dealt to the shards in
// turn (1, 2, …, N, 1, 2, …), so every shard gets a similar share of the work; the result keeps the
// grid order. Every job lands in exactly one shard.
func (s MultitaskShard) Select(jobs []MultitaskJob, f MultitaskFixed) []MultitaskJob {
	if s.N <= 1 {
		return jobs
	}
	idx := make([]int, len(jobs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ca, cb := jobs[a].cost(f), jobs[b].cost(f)
		switch {
		case ca > cb:
			return -1
		case ca < cb:
			return 1
		}
		return 0
	})
	mine := make([]bool, len(jobs))
	for k, i := range idx {
		if k%s.N == s.I-1 {
			mine[i] = true
		}
	}
	var out []MultitaskJob
	for i, j := range jobs {
		if mine[i] {
			out = append(out, j)
		}
	}
	return out
}

// taskParams is the generator setting of a job.
func (g MultitaskGrid) taskParams(j MultitaskJob) theory.TaskParams {
	f := g.Fixed
	p := theory.TaskParams{D: f.D, Rank: f.Rank, Classes: f.Classes, R: j.R, SA: j.SA, SB: j.SB,
		NoiseScale: f.NoiseScale, Validation: theory.Validation(f.Validation), Flip1: f.Flip1, Flip2: f.Flip2,
		ExpValues: f.ExpValues, Randomize: f.Randomize, NTrain: j.NTrain, NTest: f.NTest, Seed: uint64(j.Seed)}
	if j.Multi {
		p.NTrain2 = j.NAux
	} else {
		p.SB = 1 // unused by task 1; any valid value
	}
	return p
}
