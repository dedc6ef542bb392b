package config

// MultitaskConfig is the [multitask] section: paper 2's teacher–student sweeps and online theory.
type MultitaskConfig struct {
	Mode   string // "sweep" (finite-data students over a grid) or "theory" (online ODEs vs one-pass SGD)
	Preset string // "none", "paper" or "smoke": replaces the grid lists

	D          int     // input dimension
	Rank       int     // teacher rank, ≤ d/2
	Classes    int     // classes per task
	NoiseScale float64 // logit noise std = noise_scale·√(1/d)
	Validation string  // "noisy", "clean" or "half"
	Flip1      float64 // task-1 label flip probability
	Flip2      float64 // task-2 label flip probability
	ExpValues  bool    // exponentially decaying teacher singular values
	Randomize  bool    // null control: task-2 inputs shuffled
	NTest      int     // task-1 validation points

	Trunk    string  // "relu" or "linear"
	Width    int     // trunk units per layer
	LR       float64 // SGD learning rate, per step
	Batch    int     // minibatch size
	Epochs   int     // epochs (task-1 passes)
	Patience int     // stop after this many epochs without a new best validation loss (0: never)

	NTrain string // comma-separated grid lists
	NAux   string
	SA     string
	SB     string
	R      string
	Depth  string
	Seeds  int   // seeds per cell
	Seed   int64 // first seed

	Workers  int    // cells trained at once (0: all cores)
	Shard    string // "i/N": run only slice i of N
	CellsDir string // where each cell's result file goes ("" : the run directory's cells/)

	TheoryD       string  // simulation dimensions, comma-separated
	TheoryWidth   int     // student width M of the online theory
	TheoryAlpha   float64 // α to integrate to
	TheoryEvery   float64 // α between recorded points
	TheoryDAlpha  float64 // ODE step
	TheoryLR      float64 // η, trunk
	TheoryHeadLR  float64 // η_V, heads
	TheoryAux     float64 // task-2 samples per task-1 sample
	TheorySA      string  // s_a values of the online setting, comma-separated (the first is used for learning curves)
	TheorySB      string  // s_b values, comma-separated (the first is used for learning curves)
	TheorySamples int     // Monte Carlo samples for the dynamics
	TheorySeeds   int     // simulation seeds per d
}

// multitaskSection is the [multitask] table.
func multitaskSection() (Section, []Param) {
	s := "multitask"
	return Section{s, "paper 2 (Lee & Ndirango 2019): multitask teacher–student sweeps and the online theory"}, []Param{
		{Section: s, Key: "mode", Kind: KindEnum, Default: "sweep", Choices: []string{"sweep", "theory"},
			Help:  "sweep: train finite-data students over the grid; theory: online ODEs beside one-pass SGD at large d",
			field: func(c *Config) any { return &c.Multitask.Mode }},
		{Section: s, Key: "preset", Kind: KindEnum, Default: "none", Choices: []string{"none", "paper", "smoke"},
			Help:  "grid preset replacing n_train..depth and seeds: paper (a sub-grid of the authors', ~20 min on 2 idle cores), smoke (seconds)",
			field: func(c *Config) any { return &c.Multitask.Preset }},
		{Section: s, Key: "d", Kind: KindInt, Default: int64(20), Min: int64(2), Max: int64(4096),
			Help:  "input dimension of the teachers and students",
			field: func(c *Config) any { return &c.Multitask.D }},
		{Section: s, Key: "rank", Kind: KindInt, Default: int64(10), Min: int64(1), Max: int64(2048),
			Help:  "rank of each teacher (10 or 3 in the paper); must be at most d/2",
			field: func(c *Config) any { return &c.Multitask.Rank }},
		{Section: s, Key: "classes", Kind: KindInt, Default: int64(10), Min: int64(2), Max: int64(1000),
			Help:  "classes per task (not recorded by the authors; 10 fits their released losses)",
			field: func(c *Config) any { return &c.Multitask.Classes }},
		{Section: s, Key: "noise_scale", Kind: KindFloat, Default: 1.0, Min: 0.0, Max: 1e3,
			Help:  "logit noise std is noise_scale·√(1/d) (1: the authors' code; their low-signal cells need less, or clean validation)",
			field: func(c *Config) any { return &c.Multitask.NoiseScale }},
		{Section: s, Key: "validation", Kind: KindEnum, Default: "noisy", Choices: []string{"noisy", "clean", "half"},
			Help:  "validation labels: noisy (authors' default), clean, or half (what their --clean_validation does: half of all labels clean)",
			field: func(c *Config) any { return &c.Multitask.Validation }},
		{Section: s, Key: "flip1", Kind: KindFloat, Default: 0.0, Min: 0.0, Max: 1.0,
			Help:  "probability of replacing a task-1 label by a random class",
			field: func(c *Config) any { return &c.Multitask.Flip1 }},
		{Section: s, Key: "flip2", Kind: KindFloat, Default: 0.0, Min: 0.0, Max: 1.0,
			Help:  "probability of replacing a task-2 label by a random class",
			field: func(c *Config) any { return &c.Multitask.Flip2 }},
		{Section: s, Key: "exp_values", Kind: KindBool, Default: false,
			Help:  "teacher singular values decay as exp(−i), normalised to sum 1, instead of all ones",
			field: func(c *Config) any { return &c.Multitask.ExpValues }},
		{Section: s, Key: "randomize", Kind: KindBool, Default: false,
			Help:  "null control: shuffle the task-2 inputs so that its labels carry no information",
			field: func(c *Config) any { return &c.Multitask.Randomize }},
		{Section: s, Key: "n_test", Kind: KindInt, Default: int64(1000), Min: int64(1), Max: int64(1_000_000),
			Help:  "task-1 validation points (the authors' default is half their --nsamples, not recorded for the sweep)",
			field: func(c *Config) any { return &c.Multitask.NTest }},
		{Section: s, Key: "trunk", Kind: KindEnum, Default: "relu", Choices: []string{"relu", "linear"},
			Help:  "student trunk activation (relu fits the released numbers; linear learns about twice too fast)",
			field: func(c *Config) any { return &c.Multitask.Trunk }},
		{Section: s, Key: "width", Kind: KindInt, Default: int64(64), Min: int64(1), Max: int64(4096),
			Help:  "units per trunk layer",
			field: func(c *Config) any { return &c.Multitask.Width }},
		{Section: s, Key: "lr", Kind: KindFloat, Default: 1e-3, Min: 0.0, MinOpen: true, Max: 10.0,
			Help:  "plain SGD learning rate of every layer",
			field: func(c *Config) any { return &c.Multitask.LR }},
		{Section: s, Key: "batch", Kind: KindInt, Default: int64(128), Min: int64(1), Max: int64(65536),
			Help:  "minibatch size",
			field: func(c *Config) any { return &c.Multitask.Batch }},
		{Section: s, Key: "epochs", Kind: KindInt, Default: int64(2000), Min: int64(1), Max: int64(1_000_000),
			Help:  "epochs (passes over the task-1 training set); the best validation loss over them is reported",
			field: func(c *Config) any { return &c.Multitask.Epochs }},
		{Section: s, Key: "patience", Kind: KindInt, Default: int64(0), Min: int64(0), Max: int64(1_000_000),
			Help:  "stop a training after this many epochs without a new best validation loss (0: never, the authors' recipe)",
			field: func(c *Config) any { return &c.Multitask.Patience }},
		{Section: s, Key: "n_train", Kind: KindString, Default: "800",
			Help:  "grid: task-1 training points, comma-separated (the authors: 100…3200)",
			field: func(c *Config) any { return &c.Multitask.NTrain }},
		{Section: s, Key: "n_aux", Kind: KindString, Default: "",
			Help:  "grid: task-2 training points, comma-separated, each ≥ n_train (empty: equal to n_train); n_aux/n_train task-2 steps per task-1 step",
			field: func(c *Config) any { return &c.Multitask.NAux }},
		{Section: s, Key: "s_a", Kind: KindString, Default: "10",
			Help:  "grid: task-1 signal strengths, comma-separated (the authors: 0.01, 0.0398, 0.158, 0.631, 2.51, 10)",
			field: func(c *Config) any { return &c.Multitask.SA }},
		{Section: s, Key: "s_b", Kind: KindString, Default: "10",
			Help:  "grid: task-2 signal strengths, comma-separated",
			field: func(c *Config) any { return &c.Multitask.SB }},
		{Section: s, Key: "r", Kind: KindString, Default: "0,0.5,1",
			Help:  "grid: relatedness of the tasks' feature subspaces, comma-separated values in [0, 1]",
			field: func(c *Config) any { return &c.Multitask.R }},
		{Section: s, Key: "depth", Kind: KindString, Default: "2",
			Help:  "grid: trunk depths in layers, comma-separated (the authors: 1, 2, 3, 5)",
			field: func(c *Config) any { return &c.Multitask.Depth }},
		{Section: s, Key: "seeds", Kind: KindInt, Default: int64(5), Min: int64(1), Max: int64(10_000),
			Help:  "seeds per grid cell (each seed draws new teachers, data and students)",
			field: func(c *Config) any { return &c.Multitask.Seeds }},
		{Section: s, Key: "seed", Kind: KindInt, Default: int64(1), Min: int64(0),
			Help:  "first seed; a cell's seeds are seed, seed+1, …",
			field: func(c *Config) any { return &c.Multitask.Seed }},
		{Section: s, Key: "workers", Kind: KindInt, Default: int64(0), Min: int64(0), Max: int64(1024),
			Help:  "trainings run at once (0: one per core); lower it to leave cores to others",
			field: func(c *Config) any { return &c.Multitask.Workers }},
		{Section: s, Key: "shard", Kind: KindString, Default: "",
			Help:  "run only slice i of N of the grid, written i/N with 1 ≤ i ≤ N (empty: all); merge with logitlab sweep merge",
			field: func(c *Config) any { return &c.Multitask.Shard }},
		{Section: s, Key: "cells_dir", Kind: KindPath, Default: "",
			Help:  "folder for the per-training result files, shared by shards (empty: cells/ in the run directory)",
			field: func(c *Config) any { return &c.Multitask.CellsDir }},
		{Section: s, Key: "theory_d", Kind: KindString, Default: "200,500",
			Help:  "theory mode: input dimensions of the one-pass SGD simulations, comma-separated",
			field: func(c *Config) any { return &c.Multitask.TheoryD }},
		{Section: s, Key: "theory_width", Kind: KindInt, Default: int64(16), Min: int64(2), Max: int64(1024),
			Help:  "theory mode: width M of the one-layer linear trunk (at least classes)",
			field: func(c *Config) any { return &c.Multitask.TheoryWidth }},
		{Section: s, Key: "theory_alpha", Kind: KindFloat, Default: 10.0, Min: 0.0, MinOpen: true, Max: 1e4,
			Help:  "theory mode: α (task-1 samples / d) to integrate and simulate to (beyond ~10 the d = 200–500 simulations lag the d → ∞ theory by a 1/d correction)",
			field: func(c *Config) any { return &c.Multitask.TheoryAlpha }},
		{Section: s, Key: "theory_every", Kind: KindFloat, Default: 0.5, Min: 0.0, MinOpen: true, Max: 1e4,
			Help:  "theory mode: α between recorded points",
			field: func(c *Config) any { return &c.Multitask.TheoryEvery }},
		{Section: s, Key: "theory_dalpha", Kind: KindFloat, Default: 0.25, Min: 0.0, MinOpen: true, Max: 10.0,
			Help:  "theory mode: Heun step in α (0.25–0.5 is accurate to < 1e-3)",
			field: func(c *Config) any { return &c.Multitask.TheoryDAlpha }},
		{Section: s, Key: "theory_lr", Kind: KindFloat, Default: 1.0, Min: 0.0, MinOpen: true, Max: 100.0,
			Help:  "theory mode: trunk learning rate η (A moves by η/√d per sample)",
			field: func(c *Config) any { return &c.Multitask.TheoryLR }},
		{Section: s, Key: "theory_head_lr", Kind: KindFloat, Default: 1.0, Min: 0.0, Max: 100.0,
			Help:  "theory mode: head learning rate η_V (heads move by η_V/d per sample)",
			field: func(c *Config) any { return &c.Multitask.TheoryHeadLR }},
		{Section: s, Key: "theory_aux", Kind: KindFloat, Default: 1.0, Min: 0.0, Max: 100.0,
			Help:  "theory mode: task-2 samples per task-1 sample in the multitask student",
			field: func(c *Config) any { return &c.Multitask.TheoryAux }},
		{Section: s, Key: "theory_s_a", Kind: KindString, Default: "1",
			Help:  "theory mode: task-1 signal strengths (field std; logit noise noise_scale·√(1/d) with d above), comma-separated; curves use the first",
			field: func(c *Config) any { return &c.Multitask.TheorySA }},
		{Section: s, Key: "theory_s_b", Kind: KindString, Default: "1,0.25,4",
			Help:  "theory mode: task-2 signal strengths, comma-separated; learning curves use the first",
			field: func(c *Config) any { return &c.Multitask.TheorySB }},
		{Section: s, Key: "theory_samples", Kind: KindInt, Default: int64(200_000), Min: int64(100), Max: int64(100_000_000),
			Help:  "theory mode: Monte Carlo samples of the Gaussian fields (common random numbers; ≥ 200k for benefits)",
			field: func(c *Config) any { return &c.Multitask.TheorySamples }},
		{Section: s, Key: "theory_seeds", Kind: KindInt, Default: int64(10), Min: int64(2), Max: int64(10_000),
			Help:  "theory mode: simulation seeds per d (error bars are their SEM)",
			field: func(c *Config) any { return &c.Multitask.TheorySeeds }},
	}
}
