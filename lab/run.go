package lab

import (
	"sync"
	"time"
)

// Run is one experiment run: its history, its status, and the way to send it commands.
// All methods are safe for concurrent use.
type Run struct {
	id         string
	experiment string
	dir        string
	notify     func() // tells the Lab's subscribers something changed

	cmds chan Command
	done chan struct{} // closed when the run's goroutine has ended

	mu      sync.RWMutex
	events  []Event
	status  Status
	started time.Time
	step    int64
	total   int64
	applied map[string]float64 // live settings as last applied by the run
	results map[string]any
	reason  string // why a final run ended
	seq     int64  // last Seq handed out; continues across resumes
}

// RunInfo is a summary of a run for lists and status lines.
type RunInfo struct {
	ID         string
	Experiment string
	Dir        string
	Status     Status
	Step       int64
	TotalSteps int64
	Started    time.Time
	Reason     string             // for failed and stopped runs
	Settings   map[string]float64 // live settings as the run last applied them
	Results    map[string]any     // set when finished
	Events     int
}

func newRun(id, experiment, dir string, notify func()) *Run {
	return &Run{
		id:         id,
		experiment: experiment,
		dir:        dir,
		notify:     notify,
		cmds:       make(chan Command, 32),
		done:       make(chan struct{}),
		status:     StatusRunning,
		started:    time.Now(),
		applied:    map[string]float64{},
	}
}

// ID is the run's identifier, also the name of its directory.
func (r *Run) ID() string { return r.id }

// Dir is the run's directory.
func (r *Run) Dir() string { return r.dir }

// Experiment names what the run does.
func (r *Run) Experiment() string { return r.experiment }

// Done is closed once the run has ended and its log is closed.
func (r *Run) Done() <-chan struct{} { return r.done }

// Send queues a command for the run. It never blocks: when the run has ended or its queue is full
// (it reads the queue between steps) it returns an error saying so.
func (r *Run) Send(c Command) error {
	select {
	case <-r.done:
		return &CommandError{Run: r.id, Cmd: c, Why: "the run has ended"}
	default:
	}
	select {
	case r.cmds <- c:
		return nil
	default:
		return &CommandError{Run: r.id, Cmd: c, Why: "the run is busy: its command queue is full; try again in a moment"}
	}
}

// Since returns a copy of the events after the first i (i = number of events already seen), and the new
// count. Viewers call it with the count they hold to get only what is new.
func (r *Run) Since(i int) ([]Event, int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if i < 0 {
		i = 0
	}
	if i >= len(r.events) {
		return nil, len(r.events)
	}
	out := make([]Event, len(r.events)-i)
	copy(out, r.events[i:])
	return out, len(r.events)
}

// Len is the number of events so far.
func (r *Run) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.events)
}

// Info summarises the run.
func (r *Run) Info() RunInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	settings := make(map[string]float64, len(r.applied))
	for k, v := range r.applied {
		settings[k] = v
	}
	return RunInfo{
		ID: r.id, Experiment: r.experiment, Dir: r.dir, Status: r.status, Step: r.step,
		TotalSteps: r.total, Started: r.started, Reason: r.reason, Settings: settings,
		Results: r.results, Events: len(r.events),
	}
}

// record appends an event to the in-memory store and updates the summary; it is called by the run's
// own goroutine (through Env) and when a log is replayed. It returns the stored event.
func (r *Run) record(t time.Time, b Body) Event {
	r.mu.Lock()
	r.seq++
	ev := Event{Seq: r.seq, Time: t, Body: b}
	r.events = append(r.events, ev)
	r.apply(b)
	r.mu.Unlock()
	if r.notify != nil {
		r.notify()
	}
	return ev
}

// apply updates the summary fields from one event. The caller holds r.mu.
func (r *Run) apply(b Body) {
	switch v := b.(type) {
	case Started:
		r.status = StatusRunning
		r.reason = ""
	case StepMetrics:
		r.step = v.Step
		r.applied["lr"] = v.LR
	case Progress:
		r.step, r.total = v.Step, v.TotalSteps
	case SettingApplied:
		r.applied[v.Name] = v.Value
	case StatusChanged:
		r.status = v.Status
	case Failed:
		r.status, r.reason = StatusFailed, v.Reason
	case Stopped:
		r.status, r.reason = StatusStopped, v.Reason
	case Finished:
		r.status, r.results = StatusFinished, v.Results
	}
}

// CommandError says why a command could not be queued.
type CommandError struct {
	Run string
	Cmd Command
	Why string
}

func (e *CommandError) Error() string {
	return "lab: run " + e.Run + ": cannot " + e.Cmd.Op.String() + ": " + e.Why
}
