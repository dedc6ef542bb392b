package config

import "time"

// Section is one TOML table of the config.
type Section struct {
	Name string // TOML table name
	Help string // one line, shown above the table in config.toml
}

// sections lists the tables in file order.
func sections() []Section {
	return []Section{
		{"lab", "where runs live and how their logs are written"},
		{"train", "training: data, model, optimizer, schedule and checkpoints"},
		{"tui", "the terminal interface"},
	}
}

// params is the registry: every setting the lab reads, in file order within
// its section. It is built fresh on each call so that no caller can change it.
func params() []Param {
	return []Param{
		{Section: "lab", Key: "runs_dir", Kind: KindPath, Default: "runs",
			Help:  "where run directories go (relative paths start at the working directory)",
			field: func(c *Config) any { return &c.Lab.RunsDir }},
		{Section: "lab", Key: "flush_every", Kind: KindDuration, Default: time.Second,
			Min: 100 * time.Millisecond, Max: time.Minute,
			Help:  "how often the event log is flushed to the OS; a crash loses at most this much",
			field: func(c *Config) any { return &c.Lab.FlushEvery }},

		{Section: "train", Key: "data", Kind: KindEnum, Default: "mnist",
			Choices: []string{"mnist", "fashion", "cifar"},
			Help:    "data set: MNIST digits, Fashion-MNIST clothes, or CIFAR-10 photos",
			field:   func(c *Config) any { return &c.Train.Data }},
		{Section: "train", Key: "data_dir", Kind: KindPath, Default: "",
			Help:  "folder with the full data set files (empty: the built-in subset)",
			field: func(c *Config) any { return &c.Train.DataDir }},
		{Section: "train", Key: "full_data", Kind: KindBool, Default: false,
			Help:  "use the full data set found on disk instead of the built-in subset",
			field: func(c *Config) any { return &c.Train.FullData }},
		{Section: "train", Key: "model", Kind: KindEnum, Default: "mlp",
			Choices: []string{"mlp", "cnn"},
			Help:    "network: a multilayer perceptron or a small convolutional net",
			field:   func(c *Config) any { return &c.Train.Model }},
		{Section: "train", Key: "epochs", Kind: KindInt, Default: int64(10),
			Min: int64(1), Max: int64(1000),
			Help:  "passes over the training set",
			field: func(c *Config) any { return &c.Train.Epochs }},
		{Section: "train", Key: "batch", Kind: KindInt, Default: int64(128),
			Min: int64(1), Max: int64(4096),
			Help:  "examples per training step",
			field: func(c *Config) any { return &c.Train.Batch }},
		{Section: "train", Key: "lr", Kind: KindFloat, Default: 1e-3,
			Min: 0.0, MinOpen: true, Max: 1e6,
			Help:  "learning rate per step (huge values are allowed, to watch divergence being caught)",
			Live:  true,
			field: func(c *Config) any { return &c.Train.LR }},
		{Section: "train", Key: "lr_schedule", Kind: KindEnum, Default: "cosine",
			Choices: []string{"cosine", "constant"},
			Help:    "learning-rate schedule: cosine decay from lr to 0 over the run, or constant",
			field:   func(c *Config) any { return &c.Train.LRSchedule }},
		{Section: "train", Key: "optimizer", Kind: KindEnum, Default: "adam",
			Choices: []string{"adam", "sgd"},
			Help:    "optimizer: Adam, or SGD with momentum",
			field:   func(c *Config) any { return &c.Train.Optimizer }},
		{Section: "train", Key: "momentum", Kind: KindFloat, Default: 0.9,
			Min: 0.0, Max: 1.0, MaxOpen: true,
			Help:  "SGD momentum (unused by adam)",
			field: func(c *Config) any { return &c.Train.Momentum }},
		{Section: "train", Key: "weight_decay", Kind: KindFloat, Default: 0.0,
			Min: 0.0, Max: 1.0, MaxOpen: true,
			Help:  "L2 weight decay per step",
			field: func(c *Config) any { return &c.Train.WeightDecay }},
		{Section: "train", Key: "augment_shift", Kind: KindInt, Default: int64(1),
			Min: int64(0), Max: int64(8),
			Help:  "shift each training image by up to this many pixels in x and y (0: no augmentation)",
			field: func(c *Config) any { return &c.Train.AugmentShift }},
		{Section: "train", Key: "max_loss", Kind: KindFloat, Default: 1000.0,
			Min: 0.0, MinOpen: true,
			Help:  "a training loss above this ends the run as diverged (a NaN or infinite loss always does)",
			field: func(c *Config) any { return &c.Train.MaxLoss }},
		{Section: "train", Key: "seed", Kind: KindInt, Default: int64(1),
			Min:   int64(0),
			Help:  "random seed for initialization, shuffling and attacks",
			field: func(c *Config) any { return &c.Train.Seed }},
		{Section: "train", Key: "eval_every", Kind: KindInt, Default: int64(0),
			Min: int64(0), Max: int64(1_000_000),
			Help:  "steps between evaluations on the test set (0: once per epoch)",
			field: func(c *Config) any { return &c.Train.EvalEvery }},
		{Section: "train", Key: "checkpoint_every", Kind: KindInt, Default: int64(200),
			Min: int64(1), Max: int64(1_000_000),
			Help:  "steps between checkpoints; --resume restarts from the last one",
			field: func(c *Config) any { return &c.Train.CheckpointEvery }},
		{Section: "train", Key: "keep_checkpoints", Kind: KindInt, Default: int64(3),
			Min: int64(1), Max: int64(100),
			Help:  "how many of the newest checkpoints to keep; older ones are deleted",
			field: func(c *Config) any { return &c.Train.KeepCheckpoints }},

		{Section: "tui", Key: "fps", Kind: KindInt, Default: int64(10),
			Min: int64(1), Max: int64(30),
			Help:  "screen redraws per second at most",
			Live:  true,
			field: func(c *Config) any { return &c.TUI.FPS }},
		{Section: "tui", Key: "smoothing", Kind: KindFloat, Default: 0.6,
			Min: 0.0, Max: 1.0, MaxOpen: true,
			Help:  "EMA weight of the past in the loss chart (0: raw values)",
			Live:  true,
			field: func(c *Config) any { return &c.TUI.Smoothing }},
	}
}
