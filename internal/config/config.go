package config

import (
	"errors"
	"time"
)

// Config is the lab's resolved settings, one typed struct per section.
// The zero Config is not valid; start from Default or Load.
type Config struct {
	Lab       LabConfig
	Train     TrainConfig
	TUI       TUIConfig
	SSH       SSHConfig
	Multitask MultitaskConfig
	Logits    LogitsConfig
	Distill   DistillConfig
	Audio     AudioConfig
}

// LabConfig is the [lab] section.
type LabConfig struct {
	RunsDir    string        // run directories go here
	FlushEvery time.Duration // event-log flush interval
}

// TrainConfig is the [train] section.
type TrainConfig struct {
	Data            string  // "mnist", "fashion" or "cifar"
	DataDir         string  // folder with full data set files; "" for the built-in subset
	FullData        bool    // use the full data set found on disk
	Model           string  // "mlp" or "cnn"
	Epochs          int     // passes over the training set
	Batch           int     // examples per step
	LR              float64 // learning rate, per step
	LRSchedule      string  // "cosine" or "constant"
	Optimizer       string  // "adam" or "sgd"
	Momentum        float64 // SGD momentum
	WeightDecay     float64 // L2 decay per step
	MaxLoss         float64 // a loss above this is divergence
	AugmentShift    int     // max pixels of random translation per training image
	Seed            int64   // ≥ 0
	EvalEvery       int     // steps between evaluations; 0 means once per epoch
	CheckpointEvery int     // steps between checkpoints
	KeepCheckpoints int     // newest checkpoints kept
}

// TUIConfig is the [tui] section.
type TUIConfig struct {
	FPS       int     // redraws per second, at most
	Smoothing float64 // EMA weight of the past in the loss chart
	Theme     string  // "dark", "light" or "ascii" (NO_COLOR forces ascii)
	Keys      string  // key remaps, "action=key,…" (see tui.CheckKeys)
}

// SSHConfig is the [ssh] section (logitlab serve).
type SSHConfig struct {
	Addr           string        // host:port to listen on
	StateDir       string        // holds the host key
	AuthorizedKeys string        // "" means StateDir/authorized_keys
	IdleTimeout    time.Duration // no traffic either way for this long closes a connection
	MaxSession     time.Duration // absolute connection lifetime
	MaxSessions    int           // concurrent sessions (connections: twice this)
	ConnPerMinute  int           // per remote IP, before authentication
	ConnBurst      int           // per remote IP, before authentication
}

// Default returns every setting at its registry default.
func Default() Config {
	var c Config
	for _, p := range params() {
		p.set(&c, p.Default)
	}
	return c
}

// Params returns the registry: every setting, in file order.
func Params() []Param { return params() }

// Sections returns the config's sections, in file order.
func Sections() []Section { return sections() }

// Lookup returns the setting named "section.key".
func Lookup(key string) (Param, bool) {
	for _, p := range params() {
		if p.Name() == key {
			return p, true
		}
	}
	return Param{}, false
}

// Value returns the setting named "section.key" in c, in its kind's
// canonical type (int64, float64, string, bool or time.Duration).
func (c Config) Value(key string) (any, bool) {
	p, ok := Lookup(key)
	if !ok {
		return nil, false
	}
	return p.get(&c), true
}

// Validate checks every setting against its allowed range or choices and
// returns all violations joined, each an *Error.
func (c Config) Validate() error {
	var errs []error
	for _, p := range params() {
		v := p.get(&c)
		if msg := p.check(v); msg != "" {
			errs = append(errs, &Error{Key: p.Name(), Value: literal(v), Msg: msg})
		}
	}
	return errors.Join(errs...)
}
