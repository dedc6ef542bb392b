package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/logitlab/logitlab/internal/config"
)

// Experiment is one of the things a user runs. Run does the work, emitting events through env and
// reading commands between steps with env.Between; it returns nil when done (after env.SetResults),
// ErrStopRequested when a Stop command was honoured, ctx.Err() when cancelled, or the error that ended it.
type Experiment interface {
	Name() string
	Summary() string // one line for help and launchers
	Run(ctx context.Context, env *Env) error
}

// ErrStopRequested is returned by Env.Between when a Stop command arrived; experiments return it (after
// saving a checkpoint) to end with a Stopped event.
var ErrStopRequested = errors.New("lab: stop requested")

// Params configures a Lab. Zero-valued optional fields take defaults.
type Params struct {
	RunsDir     string           // required: where run directories go
	Experiments []Experiment     // required: what can be started
	FlushEvery  time.Duration    // event-log flush interval; 0: one second
	Logger      *slog.Logger     // nil: slog.Default()
	Now         func() time.Time // nil: time.Now
}

// Lab owns runs and the subscribers who watch them.
type Lab struct {
	runsDir     string
	experiments map[string]Experiment
	order       []string
	flushEvery  time.Duration
	logger      *slog.Logger
	now         func() time.Time

	mu   sync.RWMutex
	runs map[string]*Run
	subs map[*Subscription]struct{}
	wg   sync.WaitGroup
}

// New makes a Lab. It creates RunsDir if needed.
func New(p Params) (*Lab, error) {
	if p.RunsDir == "" {
		return nil, errors.New("lab: no runs directory given")
	}
	if len(p.Experiments) == 0 {
		return nil, errors.New("lab: no experiments registered")
	}
	if err := os.MkdirAll(p.RunsDir, 0o755); err != nil {
		return nil, fmt.Errorf("lab: create runs directory %q (set lab.runs_dir or --runs-dir to a writable folder): %w", p.RunsDir, err)
	}
	l := &Lab{
		runsDir:     p.RunsDir,
		experiments: map[string]Experiment{},
		flushEvery:  p.FlushEvery,
		logger:      p.Logger,
		now:         p.Now,
		runs:        map[string]*Run{},
		subs:        map[*Subscription]struct{}{},
	}
	if l.flushEvery <= 0 {
		l.flushEvery = time.Second
	}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	if l.now == nil {
		l.now = time.Now
	}
	for _, e := range p.Experiments {
		if _, dup := l.experiments[e.Name()]; dup {
			return nil, fmt.Errorf("lab: experiment %q registered twice", e.Name())
		}
		l.experiments[e.Name()] = e
		l.order = append(l.order, e.Name())
	}
	return l, nil
}

// RunsDir is where the lab keeps run directories.
func (l *Lab) RunsDir() string { return l.runsDir }

// Experiments lists the registered experiments in registration order.
func (l *Lab) Experiments() []Experiment {
	out := make([]Experiment, 0, len(l.order))
	for _, n := range l.order {
		out = append(out, l.experiments[n])
	}
	return out
}

// Spec says what to start.
type Spec struct {
	Experiment string
	Config     config.Config
	ID         string // optional run id; default <experiment>-<time>-<random>
}

// Start creates the run directory, writes the resolved config, and starts the experiment in its own
// goroutine. The run stops when ctx is cancelled (ending with a Stopped event after its checkpoint).
func (l *Lab) Start(ctx context.Context, s Spec) (*Run, error) {
	exp, ok := l.experiments[s.Experiment]
	if !ok {
		return nil, fmt.Errorf("lab: unknown experiment %q: choose one of %v", s.Experiment, l.order)
	}
	if err := s.Config.Validate(); err != nil {
		return nil, err
	}
	id := s.ID
	if id == "" {
		id = newRunID(s.Experiment, l.now())
	}
	if err := validID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(l.runsDir, id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab: create run directory: %w", err)
	}
	run := newRun(id, s.Experiment, dir, l.broadcast)
	env, err := newEnv(run, s.Config, l.flushEvery, nil, false)
	if err != nil {
		return nil, err
	}
	l.add(run)
	l.launch(ctx, exp, env, Started{Experiment: s.Experiment})
	return run, nil
}

// Resume continues a run that was stopped, cancelled or killed, from its newest good checkpoint. Events
// logged after that checkpoint are cut from the log first, so no metric step is lost or repeated.
func (l *Lab) Resume(ctx context.Context, id string) (*Run, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	l.mu.RLock()
	old, inMemory := l.runs[id]
	l.mu.RUnlock()
	if inMemory {
		select {
		case <-old.Done():
		default:
			return nil, fmt.Errorf("lab: run %s is still running", id)
		}
	}
	dir := filepath.Join(l.runsDir, id)
	rs, err := prepareResume(dir)
	if err != nil {
		return nil, err
	}
	exp, ok := l.experiments[rs.experiment]
	if !ok {
		return nil, fmt.Errorf("lab: run %s is a %q run, which this build cannot resume", id, rs.experiment)
	}
	run := newRun(id, rs.experiment, dir, l.broadcast)
	for _, ev := range rs.history {
		run.record(ev.Time, ev.Body)
	}
	if len(rs.history) > 0 {
		run.started = rs.history[0].Time
	}
	env, err := newEnv(run, rs.cfg, l.flushEvery, rs.snap, true)
	if err != nil {
		return nil, err
	}
	for _, w := range rs.warnings {
		env.Emit(Message{Level: "warn", Text: w.Error()})
	}
	l.add(run)
	l.launch(ctx, exp, env, Started{Experiment: rs.experiment, Resumed: true, FromStep: rs.fromStep})
	return run, nil
}

func (l *Lab) add(r *Run) {
	l.mu.Lock()
	l.runs[r.id] = r
	l.mu.Unlock()
	l.broadcast()
}

// launch runs the experiment in a goroutine that always ends with exactly one final event.
func (l *Lab) launch(ctx context.Context, exp Experiment, env *Env, start Started) {
	l.wg.Add(1)
	env.Emit(start)
	go func() {
		defer l.wg.Done()
		defer close(env.run.done)
		end := l.runExperiment(ctx, exp, env)
		env.Emit(end)
		if err := env.close(); err != nil {
			l.logger.Error("closing run log", "run", env.run.id, "err", err)
		}
		l.broadcast()
	}()
}

// runExperiment runs exp and turns how it ended into the final event: Finished, Stopped or Failed.
// A panic inside the experiment ends only this run.
func (l *Lab) runExperiment(ctx context.Context, exp Experiment, env *Env) (end Body) {
	defer func() {
		if p := recover(); p != nil {
			end = Failed{Step: env.run.Info().Step, Reason: fmt.Sprintf("panic: %v", p), Stack: stack()}
		}
	}()
	err := exp.Run(ctx, env)
	step := env.run.Info().Step
	switch {
	case err == nil:
		return Finished{Step: step, Results: env.results}
	case errors.Is(err, ErrStopRequested):
		return Stopped{Step: step, Reason: "stopped by " + env.stoppedBy + "; resume with: logitlab run --resume " + env.run.id}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return Stopped{Step: step, Reason: "cancelled (interrupt or shutdown); resume with: logitlab run --resume " + env.run.id}
	default:
		return Failed{Step: step, Reason: err.Error()}
	}
}

// Runs returns the runs this lab knows, newest first.
func (l *Lab) Runs() []*Run {
	l.mu.RLock()
	out := make([]*Run, 0, len(l.runs))
	for _, r := range l.runs {
		out = append(out, r)
	}
	l.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].started.Equal(out[j].started) {
			return out[i].started.After(out[j].started)
		}
		return out[i].id > out[j].id
	})
	return out
}

// Run returns the run with this id.
func (l *Lab) Run(id string) (*Run, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	r, ok := l.runs[id]
	return r, ok
}

// Wait blocks until every run started by this lab has ended.
func (l *Lab) Wait() { l.wg.Wait() }

// Subscription is a viewer's doorbell: C receives a value (capacity 1, never blocking the lab) whenever
// anything changed since the viewer last looked. The viewer then pulls with Runs and Run.Since.
type Subscription struct {
	c   chan struct{}
	lab *Lab
}

// C is the doorbell channel.
func (s *Subscription) C() <-chan struct{} { return s.c }

// Close ends the subscription; the channel is not closed, so a pending receive just never fires.
func (s *Subscription) Close() {
	s.lab.mu.Lock()
	delete(s.lab.subs, s)
	s.lab.mu.Unlock()
}

// Subscribe adds a viewer. It is rung once at once so the viewer draws the current state.
func (l *Lab) Subscribe() *Subscription {
	s := &Subscription{c: make(chan struct{}, 1), lab: l}
	s.c <- struct{}{}
	l.mu.Lock()
	l.subs[s] = struct{}{}
	l.mu.Unlock()
	return s
}

// Subscribers is the number of live subscriptions (shown by servers, checked by tests).
func (l *Lab) Subscribers() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.subs)
}

func (l *Lab) broadcast() {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for s := range l.subs {
		select {
		case s.c <- struct{}{}:
		default: // already rung; the viewer will see everything when it looks
		}
	}
}

func newRunID(experiment string, t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s-%s", experiment, t.UTC().Format("20060102-150405"), hex.EncodeToString(b[:]))
}

// validID rejects ids that could escape the runs directory.
func validID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("lab: bad run id %q", id)
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("lab: bad run id %q: use letters, digits, '-', '_' and '.'", id)
		}
	}
	if id == "." || id == ".." {
		return fmt.Errorf("lab: bad run id %q", id)
	}
	return nil
}
