package chartexport

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/lab"
)

// Kind says what a chart draws. The order is the order of the TUI's panes.
type Kind int

// Chart kinds.
const (
	Loss   Kind = iota // per-step loss and StepMetrics.Series
	Acc                // test accuracy and EpochSummary.Extra, per evaluation
	Hist               // a named Histogram (all of its steps are kept)
	Points             // a named chart of Point events
	Table              // the latest Table of a name
	Images             // the latest Images gallery of a name
	Bars               // the latest Bars snapshot of a name
)

func (k Kind) String() string {
	switch k {
	case Loss:
		return "loss"
	case Acc:
		return "accuracy"
	case Hist:
		return "histogram"
	case Points:
		return "points"
	case Table:
		return "table"
	case Images:
		return "images"
	case Bars:
		return "bars"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Chart is one chart of a run.
type Chart struct {
	Key  string // the TUI's pane key: "loss", "acc", "hist:NAME", "points:NAME", "table:NAME", "images:NAME", "bars:NAME"
	Kind Kind
	Name string // the event's name (Histogram.Name, Point.Chart …); "" for loss and acc
	File string // base file name, unique within the run, without extension (see FileName)
	Info string // one line on what it holds, e.g. "2 series, 12 steps (100…1200)"
}

// ErrNoChart is wrapped by every *NoChartError.
var ErrNoChart = errors.New("chartexport: no such chart")

// NoChartError reports a chart key the run does not have.
type NoChartError struct {
	Key  string
	Have []string // the run's chart keys
}

func (e *NoChartError) Error() string {
	return fmt.Sprintf("no chart %q; this run has: %s", e.Key, strings.Join(e.Have, ", "))
}

func (e *NoChartError) Unwrap() error { return ErrNoChart }

// NoStepError reports a histogram step that was never logged.
type NoStepError struct {
	Key  string
	Step int64
	Have []int64 // the steps it was logged at
}

func (e *NoStepError) Error() string {
	s := make([]string, len(e.Have))
	for i, v := range e.Have {
		s[i] = strconv.FormatInt(v, 10)
	}
	return fmt.Sprintf("%s has no histogram at step %d; its steps: %s", e.Key, e.Step, strings.Join(s, ", "))
}

func (e *NoStepError) Unwrap() error { return ErrNoChart }

// Charts holds every chart of one run, built from its events by FromEvents. It is not safe for
// concurrent mutation, but it is never mutated after FromEvents, so readers may share it.
type Charts struct {
	loss   stepTable // "loss" then StepMetrics.Series names
	acc    stepTable // "test_acc" then EpochSummary.Extra names
	hists  map[string][]lab.Histogram
	points map[string]*pointChart
	tables map[string]lab.Table
	images map[string]lab.Images
	bars   map[string]lab.Bars
	colors map[string]int // palette index of every named series, in order of first sight (as the TUI)
	list   []Chart
}

// Internal names of the main series of the loss and accuracy charts; no event name starts with
// a NUL, so a StepMetrics.Series value named "loss" stays a column of its own (see header).
const (
	lossColumn = "\x00loss"
	accColumn  = "\x00test_acc"
)

// displayName is how a stepTable name is written in headers and legends.
func displayName(name string) string { return strings.TrimPrefix(name, "\x00") }

// stepTable is a table of values by step: one column per name, in first-sight order; a later
// value of the same step and name replaces the earlier one (a resumed run repeats no step, but an
// evaluation may be logged twice).
type stepTable struct {
	names  []string
	rows   map[int64]map[string]float64
	sorted []int64 // the steps in order, set by finish; nil while rows change
}

func (t *stepTable) set(step int64, name string, v float64) {
	if t.rows == nil {
		t.rows = map[int64]map[string]float64{}
	}
	row, ok := t.rows[step]
	if !ok {
		row = map[string]float64{}
		t.rows[step] = row
	}
	if !slices.Contains(t.names, name) {
		t.names = append(t.names, name)
	}
	row[name] = v
	t.sorted = nil
}

// finish sorts the steps once, so that readers share the table without writing to it.
func (t *stepTable) finish() { t.sorted = t.steps() }

// steps returns the table's steps in increasing order.
func (t *stepTable) steps() []int64 {
	if t.sorted != nil {
		return t.sorted
	}
	out := make([]int64, 0, len(t.rows))
	for s := range t.rows {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// column returns the steps and values of one name, skipping steps where it was not logged.
func (t *stepTable) column(name string) (xs, ys []float64) {
	for _, s := range t.steps() {
		if v, ok := t.rows[s][name]; ok {
			xs = append(xs, float64(s))
			ys = append(ys, v)
		}
	}
	return xs, ys
}

// last returns the value of name at the latest step that has one.
func (t *stepTable) last(name string) (float64, bool) {
	steps := t.steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if v, ok := t.rows[steps[i]][name]; ok {
			return v, true
		}
	}
	return math.NaN(), false
}

// pointChart is one named chart of Point events: series in first-sight order, each a list of
// points; a point with the same finite x as an earlier one of its series replaces it.
type pointChart struct {
	order          []string
	series         map[string][]point
	xLabel, yLabel string // the last non-empty ones
}

type point struct{ x, y, err float64 }

// sorted returns the points of a series by increasing x; points with a non-finite x (kept for the
// CSV, not drawn) come last in the order they arrived.
func (pc *pointChart) sorted(name string) []point {
	ps := slices.Clone(pc.series[name])
	sort.SliceStable(ps, func(i, j int) bool {
		fi, fj := finite(ps[i].x), finite(ps[j].x)
		if fi != fj {
			return fi
		}
		return fi && ps[i].x < ps[j].x
	})
	return ps
}

// FromEvents builds the charts of a run from its events, in the order they were logged. Events
// that no chart is made of are ignored.
func FromEvents(evs []lab.Event) *Charts {
	c := &Charts{
		hists:  map[string][]lab.Histogram{},
		points: map[string]*pointChart{},
		tables: map[string]lab.Table{},
		images: map[string]lab.Images{},
		bars:   map[string]lab.Bars{},
		colors: map[string]int{},
	}
	var histOrd, pointOrd, tableOrd, imageOrd, barsOrd []string
	firstSight := func(order *[]string, name string, seen bool) {
		if !seen {
			*order = append(*order, name)
		}
	}
	for _, ev := range evs {
		switch v := ev.Body.(type) {
		case lab.StepMetrics:
			c.loss.set(v.Step, lossColumn, v.Loss)
			for _, k := range sortedKeys(v.Series) {
				c.color(k)
				c.loss.set(v.Step, k, v.Series[k])
			}
		case lab.EpochSummary:
			c.acc.set(v.Step, accColumn, v.TestAcc)
			for _, k := range sortedKeys(v.Extra) {
				c.color(k)
				c.acc.set(v.Step, k, v.Extra[k])
			}
		case lab.Histogram:
			_, seen := c.hists[v.Name]
			firstSight(&histOrd, v.Name, seen)
			c.hists[v.Name] = append(c.hists[v.Name], v)
			for _, s := range v.Series {
				c.color(s.Label)
			}
		case lab.Point:
			pc, seen := c.points[v.Chart]
			firstSight(&pointOrd, v.Chart, seen)
			if !seen {
				pc = &pointChart{series: map[string][]point{}}
				c.points[v.Chart] = pc
			}
			c.addPoint(pc, v)
		case lab.Table:
			_, seen := c.tables[v.Name]
			firstSight(&tableOrd, v.Name, seen)
			c.tables[v.Name] = v
		case lab.Images:
			_, seen := c.images[v.Name]
			firstSight(&imageOrd, v.Name, seen)
			c.images[v.Name] = v
		case lab.Bars:
			_, seen := c.bars[v.Chart]
			firstSight(&barsOrd, v.Chart, seen)
			c.bars[v.Chart] = v
			for _, s := range v.Series {
				c.color(s.Label)
			}
		}
	}
	c.loss.finish()
	c.acc.finish()
	c.list = []Chart{{Key: "loss", Kind: Loss}, {Key: "acc", Kind: Acc}}
	add := func(k Kind, prefix string, names []string) {
		for _, n := range names {
			c.list = append(c.list, Chart{Key: prefix + n, Kind: k, Name: n})
		}
	}
	add(Hist, "hist:", histOrd)
	add(Points, "points:", pointOrd)
	add(Table, "table:", tableOrd)
	add(Images, "images:", imageOrd)
	add(Bars, "bars:", barsOrd)
	used := map[string]bool{}
	for i := range c.list {
		ch := &c.list[i]
		ch.File = uniqueName(FileName(ch.Key), used)
		ch.Info = c.info(*ch)
	}
	return c
}

func (c *Charts) addPoint(pc *pointChart, v lab.Point) {
	if v.XLabel != "" {
		pc.xLabel = v.XLabel
	}
	if v.YLabel != "" {
		pc.yLabel = v.YLabel
	}
	ps, seen := pc.series[v.Series]
	if !seen {
		pc.order = append(pc.order, v.Series)
	}
	if finite(v.X) {
		c.color(v.Series) // the TUI gives a series its colour when its first drawable point arrives
		for i := range ps {
			if ps[i].x == v.X {
				ps[i] = point{v.X, v.Y, v.Err}
				pc.series[v.Series] = ps
				return
			}
		}
	}
	pc.series[v.Series] = append(ps, point{v.X, v.Y, v.Err})
}

// color returns the palette index of a series name, giving new names the next index (see the
// package comment).
func (c *Charts) color(name string) int {
	if i, ok := c.colors[name]; ok {
		return i
	}
	i := len(c.colors)
	c.colors[name] = i
	return i
}

// List returns the run's charts in the TUI's pane order: loss, acc, then each histogram, point
// chart, table, gallery and bar chart in the order the run first emitted it.
func (c *Charts) List() []Chart { return slices.Clone(c.list) }

// Keys returns the keys of List.
func (c *Charts) Keys() []string {
	out := make([]string, len(c.list))
	for i, ch := range c.list {
		out[i] = ch.Key
	}
	return out
}

// Lookup returns the chart with the given key, or a *NoChartError.
func (c *Charts) Lookup(key string) (Chart, error) {
	for _, ch := range c.list {
		if ch.Key == key {
			return ch, nil
		}
	}
	return Chart{}, &NoChartError{Key: key, Have: c.Keys()}
}

// HistSteps returns the steps at which the named histogram was logged, in log order.
func (c *Charts) HistSteps(name string) []int64 {
	var out []int64
	for _, h := range c.hists[name] {
		out = append(out, h.Step)
	}
	return out
}

// histogram returns the histogram of ch at step (0: the latest), or a *NoStepError.
func (c *Charts) histogram(ch Chart, step int64) (lab.Histogram, error) {
	hs := c.hists[ch.Name]
	if step == 0 {
		return hs[len(hs)-1], nil
	}
	for i := len(hs) - 1; i >= 0; i-- {
		if hs[i].Step == step {
			return hs[i], nil
		}
	}
	return lab.Histogram{}, &NoStepError{Key: ch.Key, Step: step, Have: c.HistSteps(ch.Name)}
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// isAccName reports whether an EpochSummary.Extra name is an accuracy, drawn on the accuracy
// chart (the TUI's rule).
func isAccName(name string) bool { return strings.Contains(strings.ToLower(name), "acc") }
