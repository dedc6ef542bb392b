package config

// DistillConfig is the [distill] section: paper 1, part 2 — students distilled on clean inputs
// from a standard and an adversarially trained teacher, with the teacher's non-max logits
// manipulated, and the robustness each student inherits.
type DistillConfig struct {
	TeacherRun    string  // logits run directory whose teachers to use; "" trains them on the spot
	Data          string  // "mnist" or "fashion"
	DataDir       string  // folder with full data set files; "" for the built-in subset
	FullData      bool    // use the full data set found on disk
	TrainSamples  int     // use only the first this many training samples; 0: all
	TeacherModel  string  // "mlp" or "cnn", for teachers trained on the spot
	TeacherEpochs int     // epochs of each teacher trained on the spot
	Eps           float64 // L∞ radius of the robust teacher's PGD training and of the evaluation attack
	AttackSteps   int     // PGD steps of the robust teacher's training
	EpsWarmup     float64 // epochs over which the training ε ramps up from 0
	Student       string  // "same" (the teacher's architecture) or "small" (an MLP with one hidden layer of 64)
	Variants      string  // comma-separated: hard, standard[:manip], robust[:manip]; manip = name[+name]
	Temperatures  string  // comma-separated T values: one student per variant, T and seed
	Alpha         float64 // weight of the soft term (1: no hard-label term)
	Epochs        int     // epochs of each student
	Batch         int     // examples per step
	LR            float64 // Adam learning rate (teachers and students)
	Seed          int64   // first seed
	Seeds         int     // seeds per variant
	Workers       int     // students trained at once; 0: one per two cores
	TestSamples   int     // test samples of clean accuracy, KL and rank agreement; 0: all
	EvalSamples   int     // test samples the attacks are evaluated on
	EvalSteps     int     // steps of the evaluation PGD
	EvalRestarts  int     // restarts of the evaluation PGD
}

// distillSection is the [distill] table.
func distillSection() (Section, []Param) {
	s := "distill"
	return Section{s, "paper 1, part 2: distil standard and robust teachers on clean inputs, non-max logits manipulated; the students' robustness"}, []Param{
		{Section: s, Key: "teacher_run", Kind: KindPath, Default: "",
			Help:  "a finished logits run (its directory or id under runs/) whose standard and robust teachers to distil; empty: train both here first",
			field: func(c *Config) any { return &c.Distill.TeacherRun }},
		{Section: s, Key: "data", Kind: KindEnum, Default: "mnist", Choices: []string{"mnist", "fashion"},
			Help:  "data set: MNIST digits or Fashion-MNIST clothes (must match the teacher run's)",
			field: func(c *Config) any { return &c.Distill.Data }},
		{Section: s, Key: "data_dir", Kind: KindPath, Default: "",
			Help:  "folder with the full data set files (empty: the built-in subset)",
			field: func(c *Config) any { return &c.Distill.DataDir }},
		{Section: s, Key: "full_data", Kind: KindBool, Default: false,
			Help:  "use the full data set found on disk instead of the built-in subset",
			field: func(c *Config) any { return &c.Distill.FullData }},
		{Section: s, Key: "train_samples", Kind: KindInt, Default: int64(0), Min: int64(0), Max: int64(10_000_000),
			Help:  "train teachers and students on only the first this many training samples (0: all)",
			field: func(c *Config) any { return &c.Distill.TrainSamples }},
		{Section: s, Key: "teacher_model", Kind: KindEnum, Default: "mlp", Choices: []string{"mlp", "cnn"},
			Help:  "architecture of the teachers trained here (a teacher run brings its own)",
			field: func(c *Config) any { return &c.Distill.TeacherModel }},
		{Section: s, Key: "teacher_epochs", Kind: KindInt, Default: int64(5), Min: int64(1), Max: int64(1000),
			Help:  "epochs of each teacher trained here",
			field: func(c *Config) any { return &c.Distill.TeacherEpochs }},
		{Section: s, Key: "eps", Kind: KindFloat, Default: 0.1, Min: 0.0, MinOpen: true, Max: 1.0,
			Help:  "L-inf radius of the robust teacher's pgd training and of the attack every model is evaluated with",
			field: func(c *Config) any { return &c.Distill.Eps }},
		{Section: s, Key: "attack_steps", Kind: KindInt, Default: int64(5), Min: int64(1), Max: int64(1000),
			Help:  "pgd steps of the robust teacher's training (step 2.5·eps/steps, random start)",
			field: func(c *Config) any { return &c.Distill.AttackSteps }},
		{Section: s, Key: "eps_warmup", Kind: KindFloat, Default: 1.0, Min: 0.0, Max: 1000.0,
			Help:  "epochs over which the robust teacher's training eps ramps up linearly from 0",
			field: func(c *Config) any { return &c.Distill.EpsWarmup }},
		{Section: s, Key: "student", Kind: KindEnum, Default: "same", Choices: []string{"same", "small"},
			Help:  "student architecture: the teacher's, or a smaller mlp (one hidden layer of 64)",
			field: func(c *Config) any { return &c.Distill.Student }},
		{Section: s, Key: "variants", Kind: KindString,
			Default: "hard,standard,robust,robust:shuffle,robust:mean,robust:top1,robust:swapconf,robust:reverse,robust:graft",
			Help:    "students to train, comma-separated: hard (labels only), TEACHER or TEACHER:MANIP with TEACHER standard or robust and MANIP none, shuffle, mean, top1, swapconf, reverse, graft or several joined by +",
			field:   func(c *Config) any { return &c.Distill.Variants }},
		{Section: s, Key: "temperatures", Kind: KindString, Default: "30",
			Help:  "distillation temperatures T, comma-separated (1,4,10,30 is the T sweep): one student per variant, T and seed",
			Flag:  "T",
			field: func(c *Config) any { return &c.Distill.Temperatures }},
		{Section: s, Key: "alpha", Kind: KindFloat, Default: 1.0, Min: 0.0, Max: 1.0,
			Help:  "weight of the soft term: loss = alpha·T²·KL(teacher‖student at T) + (1−alpha)·CE(labels); 1 as in ARD",
			Live:  true,
			field: func(c *Config) any { return &c.Distill.Alpha }},
		{Section: s, Key: "epochs", Kind: KindInt, Default: int64(5), Min: int64(1), Max: int64(1000),
			Help:  "epochs of each student, on clean inputs only",
			field: func(c *Config) any { return &c.Distill.Epochs }},
		{Section: s, Key: "batch", Kind: KindInt, Default: int64(128), Min: int64(1), Max: int64(4096),
			Help:  "examples per step",
			field: func(c *Config) any { return &c.Distill.Batch }},
		{Section: s, Key: "lr", Kind: KindFloat, Default: 1e-3, Min: 0.0, MinOpen: true, Max: 1.0,
			Help:  "adam learning rate of teachers and students",
			Live:  true,
			field: func(c *Config) any { return &c.Distill.LR }},
		{Section: s, Key: "seed", Kind: KindInt, Default: int64(1), Min: int64(0),
			Help:  "first random seed (teachers, students' initialization and data order, manipulations, attacks)",
			field: func(c *Config) any { return &c.Distill.Seed }},
		{Section: s, Key: "seeds", Kind: KindInt, Default: int64(3), Min: int64(1), Max: int64(20),
			Help:  "students per variant and temperature (seed, seed+1, …); results give mean ± sd",
			field: func(c *Config) any { return &c.Distill.Seeds }},
		{Section: s, Key: "workers", Kind: KindInt, Default: int64(0), Min: int64(0), Max: int64(64),
			Help:  "students trained at once (0: one per two cores)",
			field: func(c *Config) any { return &c.Distill.Workers }},
		{Section: s, Key: "test_samples", Kind: KindInt, Default: int64(0), Min: int64(0), Max: int64(10_000_000),
			Help:  "test samples (the first ones) of clean accuracy, KL to the teacher and rank agreement (0: the whole test set)",
			field: func(c *Config) any { return &c.Distill.TestSamples }},
		{Section: s, Key: "eval_samples", Kind: KindInt, Default: int64(500), Min: int64(10), Max: int64(1_000_000),
			Help:  "test samples the attacks are evaluated on (the first ones)",
			field: func(c *Config) any { return &c.Distill.EvalSamples }},
		{Section: s, Key: "eval_steps", Kind: KindInt, Default: int64(40), Min: int64(1), Max: int64(10_000),
			Help:  "steps of the evaluation pgd (stronger than the teacher's training attack)",
			field: func(c *Config) any { return &c.Distill.EvalSteps }},
		{Section: s, Key: "eval_restarts", Kind: KindInt, Default: int64(2), Min: int64(1), Max: int64(100),
			Help:  "random restarts of the evaluation pgd; a sample counts as robust only if it survives all",
			field: func(c *Config) any { return &c.Distill.EvalRestarts }},
	}
}
