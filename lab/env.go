package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/fsutil"
	"github.com/logitlab/logitlab/internal/runlog"
)

// Steerable is what an experiment hands to Env.Between so that commands can act on it.
type Steerable interface {
	// Apply sets a live setting and returns the value now in use (it may clamp), or an error worded
	// for the person who asked (unknown setting, value out of range).
	Apply(name string, value float64) (float64, error)
	// Snapshot returns the state to checkpoint now (parameters, optimizer state, step, and metadata).
	Snapshot() (*checkpoint.Snapshot, error)
}

// Env is an experiment's handle on its run: settings, the run directory, events out, commands in.
// Only the run's own goroutine uses an Env.
type Env struct {
	run       *Run
	cfg       config.Config
	log       *runlog.Writer
	cancel    context.CancelFunc // stops the log flusher
	flushDone chan struct{}
	resume    *checkpoint.Snapshot
	results   map[string]any
	stoppedBy string
	keep      int
	closeOnce sync.Once
}

func newEnv(run *Run, cfg config.Config, flushEvery time.Duration, resume *checkpoint.Snapshot, resumed bool) (*Env, error) {
	logPath := filepath.Join(run.dir, "events.jsonl")
	var (
		w   *runlog.Writer
		err error
	)
	if resumed {
		w, err = runlog.OpenAppend(logPath)
	} else {
		var tomlBytes []byte
		if tomlBytes, err = cfg.TOML(); err != nil {
			return nil, fmt.Errorf("lab: render config: %w", err)
		}
		if err = fsutil.WriteFileAtomic(filepath.Join(run.dir, "config.toml"), tomlBytes, 0o644); err != nil {
			return nil, fmt.Errorf("lab: write run config: %w", err)
		}
		w, err = runlog.Create(logPath)
	}
	if err != nil {
		return nil, fmt.Errorf("lab: open event log: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Env{run: run, cfg: cfg, log: w, cancel: cancel, flushDone: make(chan struct{}), resume: resume,
		keep: cfg.Train.KeepCheckpoints}
	go func() {
		defer close(e.flushDone)
		w.RunFlusher(ctx, flushEvery)
	}()
	return e, nil
}

// Config is the run's resolved configuration.
func (e *Env) Config() config.Config { return e.cfg }

// Dir is the run's directory (for exported images and tables).
func (e *Env) Dir() string { return e.run.dir }

// RunID is the run's id.
func (e *Env) RunID() string { return e.run.id }

// ResumeFrom is the checkpoint a resumed run continues from, or nil for a fresh run.
func (e *Env) ResumeFrom() *checkpoint.Snapshot { return e.resume }

// Emit records an event in the run's store and appends it to its log. A log write error is reported
// once as a warning event; the run goes on (the in-memory history stays complete).
func (e *Env) Emit(b Body) {
	rec, err := e.log.Append(b.Kind(), b)
	if err != nil {
		e.run.record(time.Now(), b)
		e.run.record(time.Now(), Message{Level: "warn", Text: "event log write failed: " + err.Error()})
		return
	}
	e.run.record(rec.Time, b)
}

// SetResults records the experiment's final numbers and writes results.json atomically. The lab puts
// them in the Finished event when Run returns nil.
func (e *Env) SetResults(results map[string]any) error {
	results = finiteResults(results).(map[string]any)
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return fmt.Errorf("lab: encode results: %w", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(e.run.dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("lab: write results.json: %w", err)
	}
	e.results = results
	return nil
}

// SaveCheckpoint writes s durably into the run's checkpoints/ folder (keeping the newest N), fsyncs the
// event log so it holds every event up to this step, and emits CheckpointSaved.
func (e *Env) SaveCheckpoint(s *checkpoint.Snapshot) error {
	keep := e.keep
	if keep <= 0 {
		keep = 3
	}
	path, err := checkpoint.Save(filepath.Join(e.run.dir, "checkpoints"), s, keep)
	if err != nil {
		return fmt.Errorf("lab: save checkpoint at step %d: %w", s.Step, err)
	}
	e.Emit(CheckpointSaved{Step: s.Step, Path: path})
	if err := e.log.Sync(); err != nil {
		return fmt.Errorf("lab: sync event log: %w", err)
	}
	return nil
}

// Between is called by the experiment between steps. It applies queued commands: Set through
// s.Apply (emitting SettingApplied, or a warning when refused), Checkpoint through s.Snapshot, Pause
// (blocking here, still answering commands, until Resume, Stop or cancellation). It returns
// ErrStopRequested after a Stop, ctx.Err() when cancelled, and nil to go on.
func (e *Env) Between(ctx context.Context, step int64, s Steerable) error {
	paused := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var c Command
		if paused {
			select {
			case c = <-e.run.cmds:
			case <-ctx.Done():
				return ctx.Err()
			}
		} else {
			select {
			case c = <-e.run.cmds:
			default:
				return nil
			}
		}
		switch c.Op {
		case OpPause:
			if !paused {
				paused = true
				e.Emit(StatusChanged{Status: StatusPaused, Step: step, By: c.By})
				_ = e.log.Flush()
			}
		case OpResume:
			if paused {
				paused = false
				e.Emit(StatusChanged{Status: StatusRunning, Step: step, By: c.By})
			}
		case OpStop:
			e.stoppedBy = c.By
			if e.stoppedBy == "" {
				e.stoppedBy = "a viewer"
			}
			return ErrStopRequested
		case OpSet:
			v, err := s.Apply(c.Name, c.Value)
			if err != nil {
				e.Emit(Message{Level: "warn", Text: fmt.Sprintf("%s refused: %v", c.By, err)})
				continue
			}
			e.Emit(SettingApplied{Name: c.Name, Value: v, By: c.By, Step: step})
		case OpCheckpoint:
			snap, err := s.Snapshot()
			if err == nil {
				err = e.SaveCheckpoint(snap)
			}
			if err != nil {
				e.Emit(Message{Level: "warn", Text: "checkpoint failed: " + err.Error()})
			}
		}
	}
}

// close stops the flusher and closes (syncs) the log. Safe to call twice.
func (e *Env) close() error {
	var err error
	e.closeOnce.Do(func() {
		e.cancel()
		<-e.flushDone
		err = e.log.Close()
	})
	return err
}

func stack() string { return string(debug.Stack()) }
