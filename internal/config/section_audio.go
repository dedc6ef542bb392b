package config

// AudioConfig is the [audio] section: paper 3, label-efficient audio with a WaveNet encoder,
// three supervised tasks and self-supervision.
type AudioConfig struct {
	AudioDir      string  // folder of <label>/<name>.wav (Speech Commands layout); "" for the embedded set
	Regimes       string  // labelled clips per class, comma-separated
	Conditions    string  // conditions to run, comma-separated (see the help)
	Tasks         string  // supervised tasks, comma-separated
	TaskWeights   string  // loss weight of each supervised task, comma-separated, same order
	SSLWeights    string  // loss weight of each self-supervised task; several values: one condition each
	Seeds         int     // paired seeds (same labelled subset per seed across conditions)
	Seed          int64   // first seed
	Steps         int     // optimizer steps per training, equal for all conditions
	PretrainSteps int     // self-supervised steps before fine-tuning ("pretrain" condition)
	Batch         int     // labelled clips per task per step
	SSLBatch      int     // unlabelled windows per self-supervised task per step
	SSLLen        int     // samples per unlabelled window
	Crop          int     // samples of each labelled clip fed to the encoder (the loudest window)
	Channels      int     // WaveNet channels
	Blocks        int     // WaveNet blocks
	Dilations     string  // dilations of one block, comma-separated
	LR            float64 // Adam learning rate
	AugGain       float64 // max gain factor (log-uniform in [1/g, g])
	AugShift      int     // max time shift, samples
	AugSpeed      float64 // max relative speed/pitch change
	AugSNR        float64 // lowest SNR (dB) of augmentation noise; noise SNR is uniform in [aug_snr, aug_snr+20]
	TestCond      string  // test-time condition: clean, noise0, noise5, noise10, bandlimit, smear
	EvalMax       int     // test clips per task at most (0: all)
}

// audioSection is the [audio] table.
func audioSection() (Section, []Param) {
	s := "audio"
	return Section{s, "paper 3 (Lee et al. 2019): label-efficient audio, WaveNet encoder, multitask + self-supervised"}, []Param{
		{Section: s, Key: "audio_dir", Kind: KindPath, Default: "",
			Help:  "folder of <label>/<name>.wav files laid out like Speech Commands, read as the keyword task (empty: the embedded set)",
			field: func(c *Config) any { return &c.Audio.AudioDir }},
		{Section: s, Key: "regimes", Kind: KindString, Default: "5,20",
			Help:  "labelled clips per class, comma-separated, each at most the smallest class of every task (48 for the embedded speaker and instrument tasks; e.g. 5,10,20,40)",
			field: func(c *Config) any { return &c.Audio.Regimes }},
		{Section: s, Key: "conditions", Kind: KindString, Default: "single,multi,multi+ssl,multi+aug",
			Help:  "comma-separated: single, single+aug, multi, multi+aug, multi+ssl, multi+ssl+aug, multi+next, multi+denoise, multi+upsample, pretrain",
			field: func(c *Config) any { return &c.Audio.Conditions }},
		{Section: s, Key: "tasks", Kind: KindString, Default: "keyword,speaker,instrument",
			Help:  "supervised tasks, comma-separated (a --audio-dir folder has only keyword)",
			field: func(c *Config) any { return &c.Audio.Tasks }},
		{Section: s, Key: "task_weights", Kind: KindString, Default: "1,1,1",
			Help:  "loss weight of each supervised task, comma-separated, in the order of tasks",
			field: func(c *Config) any { return &c.Audio.TaskWeights }},
		{Section: s, Key: "ssl_weights", Kind: KindString, Default: "0.3",
			Help:  "loss weight of each self-supervised task; several values (e.g. 0.1,0.3,1) run each ssl condition once per value",
			field: func(c *Config) any { return &c.Audio.SSLWeights }},
		{Section: s, Key: "seeds", Kind: KindInt, Default: int64(5), Min: int64(1), Max: int64(100),
			Help:  "paired seeds: each seed draws one labelled subset and one initialisation shared by all conditions",
			field: func(c *Config) any { return &c.Audio.Seeds }},
		{Section: s, Key: "seed", Kind: KindInt, Default: int64(1), Min: int64(0), Max: int64(1 << 40),
			Help:  "first seed",
			field: func(c *Config) any { return &c.Audio.Seed }},
		{Section: s, Key: "steps", Kind: KindInt, Default: int64(100), Min: int64(1), Max: int64(1000000),
			Help:  "optimizer steps per training, the same for every condition (so equal supervised epochs)",
			field: func(c *Config) any { return &c.Audio.Steps }},
		{Section: s, Key: "pretrain_steps", Kind: KindInt, Default: int64(100), Min: int64(1), Max: int64(1000000),
			Help:  "self-supervised steps before fine-tuning, for the pretrain condition",
			field: func(c *Config) any { return &c.Audio.PretrainSteps }},
		{Section: s, Key: "batch", Kind: KindInt, Default: int64(8), Min: int64(1), Max: int64(1024),
			Help:  "labelled clips per supervised task per step",
			field: func(c *Config) any { return &c.Audio.Batch }},
		{Section: s, Key: "ssl_batch", Kind: KindInt, Default: int64(4), Min: int64(1), Max: int64(1024),
			Help:  "unlabelled windows per self-supervised task per step",
			field: func(c *Config) any { return &c.Audio.SSLBatch }},
		{Section: s, Key: "ssl_len", Kind: KindInt, Default: int64(1000), Min: int64(16), Max: int64(8000),
			Help:  "samples per unlabelled window",
			field: func(c *Config) any { return &c.Audio.SSLLen }},
		{Section: s, Key: "crop", Kind: KindInt, Default: int64(4000), Min: int64(256), Max: int64(8000),
			Help:  "samples of each labelled clip the encoder sees: the loudest window of this length (8000: the whole second)",
			field: func(c *Config) any { return &c.Audio.Crop }},
		{Section: s, Key: "channels", Kind: KindInt, Default: int64(16), Min: int64(1), Max: int64(512),
			Help:  "WaveNet residual and skip channels",
			field: func(c *Config) any { return &c.Audio.Channels }},
		{Section: s, Key: "blocks", Kind: KindInt, Default: int64(1), Min: int64(1), Max: int64(16),
			Help:  "WaveNet blocks (each runs all dilations)",
			field: func(c *Config) any { return &c.Audio.Blocks }},
		{Section: s, Key: "dilations", Kind: KindString, Default: "1,2,4,8,16,32,64",
			Help:  "dilations of one block, comma-separated (receptive field 1 + blocks·Σ dilations)",
			field: func(c *Config) any { return &c.Audio.Dilations }},
		{Section: s, Key: "lr", Kind: KindFloat, Default: 5e-3, Min: 0.0, Max: 10.0, MinOpen: true,
			Help:  "Adam learning rate, per step",
			field: func(c *Config) any { return &c.Audio.LR }},
		{Section: s, Key: "aug_gain", Kind: KindFloat, Default: 2.0, Min: 1.0, Max: 100.0,
			Help:  "augmentation: gain drawn log-uniformly from [1/g, g]",
			field: func(c *Config) any { return &c.Audio.AugGain }},
		{Section: s, Key: "aug_shift", Kind: KindInt, Default: int64(800), Min: int64(0), Max: int64(8000),
			Help:  "augmentation: max time shift in samples",
			field: func(c *Config) any { return &c.Audio.AugShift }},
		{Section: s, Key: "aug_speed", Kind: KindFloat, Default: 0.1, Min: 0.0, Max: 0.5,
			Help:  "augmentation: max relative speed and pitch change",
			field: func(c *Config) any { return &c.Audio.AugSpeed }},
		{Section: s, Key: "aug_snr", Kind: KindFloat, Default: 10.0, Min: -20.0, Max: 100.0,
			Help:  "augmentation: white noise at an SNR uniform in [aug_snr, aug_snr+20] dB",
			field: func(c *Config) any { return &c.Audio.AugSNR }},
		{Section: s, Key: "test_cond", Kind: KindEnum, Default: "clean", Choices: []string{"clean", "noise0", "noise5", "noise10", "bandlimit", "smear"},
			Help:  "test-time condition: clean, white noise at 0/5/10 dB SNR, band-limiting (8-tap average), or reverb-like smearing",
			field: func(c *Config) any { return &c.Audio.TestCond }},
		{Section: s, Key: "eval_max", Kind: KindInt, Default: int64(0), Min: int64(0), Max: int64(1000000),
			Help:  "test clips per task at most, a fixed spread-out subset (0: all)",
			field: func(c *Config) any { return &c.Audio.EvalMax }},
	}
}
