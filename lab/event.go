package lab

import (
	"encoding/json"
	"fmt"
	"time"
)

// Body is the payload of an event. Each concrete type below is one kind of event.
type Body interface {
	// Kind names the event type in the log ("step", "epoch", …).
	Kind() string
}

// Event is one entry in a run's history.
type Event struct {
	Seq  int64     // 1, 2, 3 … within a run
	Time time.Time // when the run emitted it
	Body Body
}

// Status is where a run is in its life.
type Status string

// Run statuses. Finished, Failed and Stopped are final.
const (
	StatusRunning  Status = "running"
	StatusPaused   Status = "paused"
	StatusFinished Status = "finished"
	StatusFailed   Status = "failed"
	StatusStopped  Status = "stopped"
)

// Final reports whether a run in this status will emit nothing more.
func (s Status) Final() bool {
	return s == StatusFinished || s == StatusFailed || s == StatusStopped
}

// Started is the first event of a run (and of each resumed segment of it).
type Started struct {
	Experiment string `json:"experiment"`
	Resumed    bool   `json:"resumed,omitempty"`
	FromStep   int64  `json:"from_step,omitempty"` // the checkpoint step a resumed run continues after
	Note       string `json:"note,omitempty"`      // e.g. where the data came from, which BLAS runs
}

// StepMetrics reports one optimizer step.
type StepMetrics struct {
	Step          int64   `json:"step"` // 1-based count of optimizer steps
	Epoch         int     `json:"epoch"`
	Loss          float64 `json:"loss"`
	LR            float64 `json:"lr"`
	SamplesPerSec float64 `json:"samples_per_sec"`
	// Series holds extra named values for experiments that track more than one loss
	// (e.g. "robust/loss"); nil for the train experiment.
	Series map[string]float64 `json:"series,omitempty"`
}

// EpochSummary reports an evaluation, at the end of an epoch or every eval_every steps.
type EpochSummary struct {
	Step      int64              `json:"step"`
	Epoch     int                `json:"epoch"`
	TrainLoss float64            `json:"train_loss"` // mean over the steps since the last summary
	TestLoss  float64            `json:"test_loss"`
	TestAcc   float64            `json:"test_acc"`
	Extra     map[string]float64 `json:"extra,omitempty"`
}

// Progress reports how far a run is, for status lines and ETAs.
type Progress struct {
	Step       int64   `json:"step"`
	TotalSteps int64   `json:"total_steps"`
	Elapsed    float64 `json:"elapsed_s"` // wall seconds of this run, all segments
}

// SettingApplied reports a live setting the run has applied (its value as the run uses it).
type SettingApplied struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	By    string  `json:"by,omitempty"` // who asked ("tui", "ssh:alice", "cli")
	Step  int64   `json:"step"`
}

// StatusChanged reports a pause or resume.
type StatusChanged struct {
	Status Status `json:"status"`
	Step   int64  `json:"step"`
	By     string `json:"by,omitempty"`
}

// CheckpointSaved reports a durable checkpoint.
type CheckpointSaved struct {
	Step int64  `json:"step"`
	Path string `json:"path"`
}

// Message is a human-readable note from the run (a warning, where data came from …).
type Message struct {
	Level string `json:"level"` // "info" or "warn"
	Text  string `json:"text"`
}

// Failed ends a run that diverged, panicked or hit an error.
type Failed struct {
	Step   int64  `json:"step"`
	Reason string `json:"reason"`
	Stack  string `json:"stack,omitempty"` // set for panics
}

// Stopped ends a run stopped by a command or cancelled; it can be resumed from its last checkpoint.
type Stopped struct {
	Step   int64  `json:"step"`
	Reason string `json:"reason"`
}

// Finished ends a run that completed; Results is what results.json holds.
type Finished struct {
	Step    int64          `json:"step"`
	Results map[string]any `json:"results"`
}

// Histogram is one or more distributions over shared bins, e.g. the max logit of a standard and a
// robust model at one epoch. Viewers draw the series side by side; a later Histogram with the same
// Name replaces the earlier one (keep them all to animate).
type Histogram struct {
	Name   string       `json:"name"` // "max_logit", "logit_gap"
	Step   int64        `json:"step"`
	Epoch  int          `json:"epoch,omitempty"`
	Edges  []float64    `json:"edges"` // bin edges, len(Counts)+1, increasing and finite
	Series []HistSeries `json:"series"`
}

// HistSeries is one distribution of a Histogram.
type HistSeries struct {
	Label  string  `json:"label"` // "standard", "robust"
	Counts []int   `json:"counts"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
}

// Table is a small table of results (a row per variant, per model …). A later Table with the same
// Name replaces the earlier one, so a table can fill in as results arrive.
type Table struct {
	Name    string     `json:"name"`
	Step    int64      `json:"step"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	Note    string     `json:"note,omitempty"` // e.g. "mean ± sd over 3 seeds; PGD-40, 2 restarts"
}

// Point is one point of a named curve: robust accuracy against ε, multitask benefit against s_b,
// accuracy per label regime … Viewers group points by Chart into one chart and by Series into lines.
// A point with the same Chart, Series and X as an earlier one replaces it.
type Point struct {
	Chart  string  `json:"chart"`  // "robust accuracy vs eps"
	Series string  `json:"series"` // "robust model", "r=0.5"
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Err    float64 `json:"err,omitempty"` // half-width of an error bar (sd or SEM; the chart's note says which)
	XLabel string  `json:"x_label,omitempty"`
	YLabel string  `json:"y_label,omitempty"`
}

// Bars is a grouped bar chart, e.g. the clean and robust accuracy of each distillation variant.
// It is a whole snapshot: a later Bars with the same Chart replaces the earlier one, so the chart
// fills in as results arrive. Series[j].Values[i] is the bar of series j in group i (NaN: not yet
// measured), Err its error-bar half-width (sd; the Note says which), or nil for none.
type Bars struct {
	Chart  string      `json:"chart"`
	Step   int64       `json:"step"`
	Groups []string    `json:"groups"`
	Series []BarSeries `json:"series"`
	Unit   string      `json:"unit,omitempty"` // e.g. "accuracy"
	Note   string      `json:"note,omitempty"`
}

// BarSeries is one series of a Bars chart.
type BarSeries struct {
	Label  string    `json:"label"`
	Values []float64 `json:"values"`
	Err    []float64 `json:"err,omitempty"`
}

// Images is a captioned gallery, e.g. the samples two models disagree on most.
type Images struct {
	Name  string      `json:"name"`
	Step  int64       `json:"step"`
	C     int         `json:"c"` // channels (1 or 3), then H×W, row-major
	H     int         `json:"h"`
	W     int         `json:"w"`
	Items []ImageItem `json:"items"`
	Path  string      `json:"path,omitempty"` // the PNG the run exported, when it did
}

// ImageItem is one image of a gallery: C×H×W pixels in [0,1] and a caption.
type ImageItem struct {
	Caption string    `json:"caption"`
	Pixels  []float32 `json:"pixels"`
}

func (Histogram) Kind() string       { return "histogram" }
func (Table) Kind() string           { return "table" }
func (Point) Kind() string           { return "point" }
func (Images) Kind() string          { return "images" }
func (Bars) Kind() string            { return "bars" }
func (Started) Kind() string         { return "started" }
func (StepMetrics) Kind() string     { return "step" }
func (EpochSummary) Kind() string    { return "epoch" }
func (Progress) Kind() string        { return "progress" }
func (SettingApplied) Kind() string  { return "setting" }
func (StatusChanged) Kind() string   { return "status" }
func (CheckpointSaved) Kind() string { return "checkpoint" }
func (Message) Kind() string         { return "message" }
func (Failed) Kind() string          { return "failed" }
func (Stopped) Kind() string         { return "stopped" }
func (Finished) Kind() string        { return "finished" }

// decodeBody turns a logged (kind, JSON) pair back into its Body. Unknown kinds (from a newer version)
// come back as a Message so that an old binary can still show the run.
func decodeBody(kind string, data json.RawMessage) (Body, error) {
	var b Body
	var err error
	switch kind {
	case "started":
		b, err = unmarshalAs[Started](data)
	case "step":
		b, err = unmarshalAs[StepMetrics](data)
	case "epoch":
		b, err = unmarshalAs[EpochSummary](data)
	case "progress":
		b, err = unmarshalAs[Progress](data)
	case "setting":
		b, err = unmarshalAs[SettingApplied](data)
	case "status":
		b, err = unmarshalAs[StatusChanged](data)
	case "checkpoint":
		b, err = unmarshalAs[CheckpointSaved](data)
	case "message":
		b, err = unmarshalAs[Message](data)
	case "failed":
		b, err = unmarshalAs[Failed](data)
	case "stopped":
		b, err = unmarshalAs[Stopped](data)
	case "finished":
		b, err = unmarshalAs[Finished](data)
	case "histogram":
		b, err = unmarshalAs[Histogram](data)
	case "table":
		b, err = unmarshalAs[Table](data)
	case "point":
		b, err = unmarshalAs[Point](data)
	case "images":
		b, err = unmarshalAs[Images](data)
	case "bars":
		b, err = unmarshalAs[Bars](data)
	default:
		return Message{Level: "warn", Text: fmt.Sprintf("event of unknown kind %q", kind)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s event: %w", kind, err)
	}
	return b, nil
}

func unmarshalAs[T Body](data json.RawMessage) (Body, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// stepOf returns the optimizer step an event belongs to, and whether it carries one that matters for
// resuming (metrics, evaluations and the panes made from them: a resumed run must neither lose nor
// repeat them). Points carry no step; a repeated point replaces itself in every viewer.
func stepOf(b Body) (int64, bool) {
	switch v := b.(type) {
	case StepMetrics:
		return v.Step, true
	case EpochSummary:
		return v.Step, true
	case CheckpointSaved:
		return v.Step, true
	case SettingApplied:
		return v.Step, true
	case Histogram:
		return v.Step, true
	case Table:
		return v.Step, true
	case Images:
		return v.Step, true
	case Bars:
		return v.Step, true
	}
	return 0, false
}
