package config

// LogitsConfig is the [logits] section: the logits experiment (paper 1, part 1), which trains a
// standard and an adversarially trained model side by side and compares their logits.
type LogitsConfig struct {
	Preset          string  // "none", "madry-mnist" or "fast-mnist": replaces the settings still at their defaults
	Data            string  // "mnist", "fashion" or "cifar"
	DataDir         string  // folder with full data set files; "" for the built-in subset
	FullData        bool    // use the full data set found on disk
	TrainSamples    int     // use only the first this many training samples; 0: all
	Model           string  // "mlp" or "cnn"
	Epochs          int     // passes over the training set, per model
	Batch           int     // examples per step
	LR              float64 // Adam learning rate, per step
	LRSchedule      string  // "constant" or "cosine"
	Seed            int64   // first seed
	Seeds           int     // seeds seed, seed+1, …: one standard and one robust model each
	Method          string  // "pgd", "trades" or "fast"
	Eps             float64 // L∞ radius of the training attack
	EpsWarmup       float64 // epochs over which the training ε ramps up linearly from 0
	AttackSteps     int     // steps of the training attack (pgd, trades)
	AttackStep      float64 // step size of the training attack; 0: 2.5·eps/steps (1.25·eps for fast)
	Beta            float64 // TRADES weight of the KL term
	EvalSamples     int     // test samples the attacks are evaluated on
	StatsSamples    int     // test samples of the logit statistics; 0: all
	EvalSteps       int     // steps of the evaluation PGD
	EvalRestarts    int     // random restarts of the evaluation PGD
	CurveEps        string  // comma-separated ε list of the robust-accuracy curve
	SweepEps        string  // comma-separated training ε list of extra robust models (first seed)
	Gallery         int     // images at each end of the confidence disagreement
	TrackEvery      int     // steps between logit histograms; 0: once per epoch
	CheckpointEvery int     // steps between checkpoints
}

// logitsSection is the [logits] table.
func logitsSection() (Section, []Param) {
	s := "logits"
	return Section{s, "the logits experiment: standard vs adversarial training, logit statistics, confidence disagreement"}, []Param{
		{Section: s, Key: "preset", Kind: KindEnum, Default: "none",
			Choices: []string{"none", "madry-mnist", "fast-mnist"},
			Help:    "a named setting; it replaces the [logits] settings left at their defaults (madry-mnist: eps 0.3, pgd-40 step 0.01, full mnist; fast-mnist: fgsm with random start at eps 0.1)",
			field:   func(c *Config) any { return &c.Logits.Preset }},
		{Section: s, Key: "data", Kind: KindEnum, Default: "mnist",
			Choices: []string{"mnist", "fashion", "cifar"},
			Help:    "data set: MNIST digits, Fashion-MNIST clothes, or CIFAR-10 photos",
			field:   func(c *Config) any { return &c.Logits.Data }},
		{Section: s, Key: "data_dir", Kind: KindPath, Default: "",
			Help:  "folder with the full data set files (empty: the built-in subset)",
			field: func(c *Config) any { return &c.Logits.DataDir }},
		{Section: s, Key: "full_data", Kind: KindBool, Default: false,
			Help:  "use the full data set found on disk instead of the built-in subset",
			field: func(c *Config) any { return &c.Logits.FullData }},
		{Section: s, Key: "train_samples", Kind: KindInt, Default: int64(0),
			Min: int64(0), Max: int64(10_000_000),
			Help:  "train on only the first this many training samples (0: all), for quick looks",
			field: func(c *Config) any { return &c.Logits.TrainSamples }},
		{Section: s, Key: "model", Kind: KindEnum, Default: "mlp",
			Choices: []string{"mlp", "cnn"},
			Help:    "network for both models: a multilayer perceptron or a small convolutional net",
			field:   func(c *Config) any { return &c.Logits.Model }},
		{Section: s, Key: "epochs", Kind: KindInt, Default: int64(5),
			Min: int64(1), Max: int64(1000),
			Help:  "passes over the training set, for every model",
			field: func(c *Config) any { return &c.Logits.Epochs }},
		{Section: s, Key: "batch", Kind: KindInt, Default: int64(128),
			Min: int64(1), Max: int64(4096),
			Help:  "examples per training step",
			field: func(c *Config) any { return &c.Logits.Batch }},
		{Section: s, Key: "lr", Kind: KindFloat, Default: 1e-3,
			Min: 0.0, MinOpen: true, Max: 1.0,
			Help:  "adam learning rate per step, for both models",
			Live:  true,
			field: func(c *Config) any { return &c.Logits.LR }},
		{Section: s, Key: "lr_schedule", Kind: KindEnum, Default: "constant",
			Choices: []string{"constant", "cosine"},
			Help:    "learning-rate schedule: constant (watch M and G grow), or cosine decay to 0",
			field:   func(c *Config) any { return &c.Logits.LRSchedule }},
		{Section: s, Key: "seed", Kind: KindInt, Default: int64(1),
			Min:   int64(0),
			Help:  "first random seed (initialization, data order, attacks)",
			field: func(c *Config) any { return &c.Logits.Seed }},
		{Section: s, Key: "seeds", Kind: KindInt, Default: int64(3),
			Min: int64(1), Max: int64(20),
			Help:  "how many seeds (seed, seed+1, …) to train a standard and a robust model for; results give mean ± sd",
			field: func(c *Config) any { return &c.Logits.Seeds }},
		{Section: s, Key: "method", Kind: KindEnum, Default: "pgd",
			Choices: []string{"pgd", "trades", "fast"},
			Help:    "adversarial training: madry pgd-at, trades, or fgsm with random start (fast; may overfit catastrophically at large eps)",
			field:   func(c *Config) any { return &c.Logits.Method }},
		{Section: s, Key: "eps", Kind: KindFloat, Default: 0.1,
			Min: 0.0, MinOpen: true, Max: 1.0,
			Help:  "L-inf radius of the training attack, in pixel units (inputs are in [0, 1])",
			Live:  true,
			field: func(c *Config) any { return &c.Logits.Eps }},
		{Section: s, Key: "eps_warmup", Kind: KindFloat, Default: 1.0,
			Min: 0.0, Max: 1000.0,
			Help:  "epochs over which the training eps ramps up linearly from 0 (0: full eps from the first step; without it an mlp at eps >= 0.2 tends to collapse to a constant output)",
			field: func(c *Config) any { return &c.Logits.EpsWarmup }},
		{Section: s, Key: "attack_steps", Kind: KindInt, Default: int64(5),
			Min: int64(1), Max: int64(1000),
			Help:  "steps of the training attack (pgd, trades; fast always takes one)",
			Live:  true,
			field: func(c *Config) any { return &c.Logits.AttackSteps }},
		{Section: s, Key: "attack_step", Kind: KindFloat, Default: 0.0,
			Min: 0.0, Max: 1.0,
			Help:  "step size of the training attack (0: 2.5·eps/steps, or 1.25·eps for fast)",
			field: func(c *Config) any { return &c.Logits.AttackStep }},
		{Section: s, Key: "beta", Kind: KindFloat, Default: 1.0,
			Min: 0.0, Max: 1000.0,
			Help:  "trades: weight of the KL term (1 in the TRADES MNIST script, 6 in its CIFAR one)",
			Live:  true,
			field: func(c *Config) any { return &c.Logits.Beta }},
		{Section: s, Key: "eval_samples", Kind: KindInt, Default: int64(500),
			Min: int64(10), Max: int64(1_000_000),
			Help:  "test samples the attacks are evaluated on (the first ones; capped at the test set)",
			field: func(c *Config) any { return &c.Logits.EvalSamples }},
		{Section: s, Key: "stats_samples", Kind: KindInt, Default: int64(0),
			Min: int64(0), Max: int64(10_000_000),
			Help:  "test samples (the first ones) of the logit statistics, correlations and gallery (0: the whole test set)",
			field: func(c *Config) any { return &c.Logits.StatsSamples }},
		{Section: s, Key: "eval_steps", Kind: KindInt, Default: int64(40),
			Min: int64(1), Max: int64(10_000),
			Help:  "steps of the evaluation pgd (keep it stronger than training)",
			field: func(c *Config) any { return &c.Logits.EvalSteps }},
		{Section: s, Key: "eval_restarts", Kind: KindInt, Default: int64(2),
			Min: int64(1), Max: int64(100),
			Help:  "random restarts of the evaluation pgd; a sample counts as robust only if it survives all",
			field: func(c *Config) any { return &c.Logits.EvalRestarts }},
		{Section: s, Key: "curve_eps", Kind: KindString, Default: "0,0.05,0.1,0.15,0.2,0.3",
			Help:  "comma-separated eps values of the robust-accuracy curve",
			field: func(c *Config) any { return &c.Logits.CurveEps }},
		{Section: s, Key: "sweep_eps", Kind: KindString, Default: "0.1,0.2,0.3",
			Help:  "comma-separated training eps values for the eps sweep of mean M and G (extra robust models, first seed; empty: none)",
			field: func(c *Config) any { return &c.Logits.SweepEps }},
		{Section: s, Key: "gallery", Kind: KindInt, Default: int64(8),
			Min: int64(0), Max: int64(64),
			Help:  "images shown at each end of the confidence disagreement (0: no gallery)",
			field: func(c *Config) any { return &c.Logits.Gallery }},
		{Section: s, Key: "track_every", Kind: KindInt, Default: int64(0),
			Min: int64(0), Max: int64(1_000_000),
			Help:  "steps between logit histograms during training (0: once per epoch)",
			field: func(c *Config) any { return &c.Logits.TrackEvery }},
		{Section: s, Key: "checkpoint_every", Kind: KindInt, Default: int64(200),
			Min: int64(1), Max: int64(1_000_000),
			Help:  "steps between checkpoints; --resume restarts from the last one",
			field: func(c *Config) any { return &c.Logits.CheckpointEvery }},
	}
}
