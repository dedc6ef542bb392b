package lab

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/runlog"
)

// StatusInterrupted marks a run found on disk whose log ends without a final event: its process was
// killed or crashed. It can be resumed.
const StatusInterrupted Status = "interrupted"

type resumeState struct {
	experiment string
	cfg        config.Config
	snap       *checkpoint.Snapshot // nil: no checkpoint, start over
	fromStep   int64
	history    []Event
	warnings   []error
}

// prepareResume reads a run directory, finds its newest good checkpoint and cuts the event log back to
// that checkpoint's step. The log is rewritten atomically, so a crash here leaves either log whole.
func prepareResume(dir string) (*resumeState, error) {
	cfgPath := filepath.Join(dir, "config.toml")
	if _, err := os.Stat(cfgPath); err != nil {
		return nil, fmt.Errorf("lab: resume %s: no run there (%w); `logitlab runs` lists the runs", filepath.Base(dir), err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("lab: resume: %w", err)
	}
	rs := &resumeState{cfg: cfg}
	snap, _, warnings, err := checkpoint.Latest(filepath.Join(dir, "checkpoints"))
	switch {
	case err == nil:
		rs.snap, rs.fromStep = snap, snap.Step
	case errors.Is(err, fs.ErrNotExist):
		// No checkpoint yet: the run starts over, keeping none of its metric steps.
	default:
		return nil, fmt.Errorf("lab: resume: %w", err)
	}
	rs.warnings = warnings

	logPath := filepath.Join(dir, "events.jsonl")
	var decodeErr error
	if _, err := runlog.TruncateAfter(logPath, func(rec runlog.Record) bool {
		b, err := decodeBody(rec.Kind, rec.Data)
		if err != nil {
			decodeErr = err
			return false
		}
		step, has := stepOf(b)
		return !has || step <= rs.fromStep
	}); err != nil {
		return nil, fmt.Errorf("lab: resume: cut the event log back to step %d: %w", rs.fromStep, err)
	}
	if decodeErr != nil {
		rs.warnings = append(rs.warnings, fmt.Errorf("event log: %w (the log was cut there)", decodeErr))
	}
	history, exp, err := readHistory(logPath)
	if err != nil {
		return nil, err
	}
	if exp == "" {
		return nil, fmt.Errorf("lab: resume: %s has no start event; it cannot be resumed", logPath)
	}
	rs.history, rs.experiment = history, exp
	return rs, nil
}

// readHistory decodes a run's event log. A torn last line (a crash mid-write) is dropped.
func readHistory(path string) ([]Event, string, error) {
	recs, err := runlog.ReadFile(path)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, "", fmt.Errorf("lab: read %s: %w", path, err)
	}
	var (
		out []Event
		exp string
	)
	for _, rec := range recs {
		b, err := decodeBody(rec.Kind, rec.Data)
		if err != nil {
			return out, exp, fmt.Errorf("lab: %s record %d: %w", path, rec.Seq, err)
		}
		if s, ok := b.(Started); ok && exp == "" {
			exp = s.Experiment
		}
		out = append(out, Event{Seq: rec.Seq, Time: rec.Time, Body: b})
	}
	return out, exp, nil
}

// LoadRuns reads the runs already on disk (from earlier sessions) into the lab, so that lists and
// viewers show them. Runs started by this lab are left alone. A run whose log ends without a final
// event is marked interrupted. Unreadable run directories are skipped and reported in the returned
// error list.
func (l *Lab) LoadRuns() []error {
	entries, err := os.ReadDir(l.runsDir)
	if err != nil {
		return []error{fmt.Errorf("lab: list runs: %w", err)}
	}
	var problems []error
	for _, de := range entries {
		if !de.IsDir() || validID(de.Name()) != nil {
			continue
		}
		id := de.Name()
		if _, ok := l.Run(id); ok {
			continue
		}
		dir := filepath.Join(l.runsDir, id)
		history, exp, err := readHistory(filepath.Join(dir, "events.jsonl"))
		if err != nil && len(history) == 0 {
			problems = append(problems, err)
			continue
		}
		r := newRun(id, exp, dir, nil)
		for _, ev := range history {
			r.record(ev.Time, ev.Body)
		}
		r.mu.Lock()
		r.seq = int64(len(r.events))
		if len(r.events) > 0 {
			r.started = r.events[0].Time
		}
		if !r.status.Final() {
			r.status, r.reason = StatusInterrupted, "the process ended without a final event; resume with: logitlab run --resume "+id
		}
		r.mu.Unlock()
		r.notify = l.broadcast
		close(r.done)
		l.mu.Lock()
		l.runs[id] = r
		l.mu.Unlock()
	}
	l.broadcast()
	return problems
}
