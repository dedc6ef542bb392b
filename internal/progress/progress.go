// Package progress prints a run's progress as plain lines, for logs, pipes and CI: the headless
// subscriber of the lab. It never writes escape codes.
package progress

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/logitlab/logitlab/lab"
)

// Printer follows one run and writes a line for each evaluation, each setting or status change, each
// message and the end, plus a step line at most every Every.
type Printer struct {
	Out   io.Writer
	Every time.Duration // minimum time between step lines; 0: 2 s
	Now   func() time.Time

	seen     int
	lastLine time.Time
	last     lab.StepMetrics
	total    int64
	printed  int64 // step of the last step line

	firstStep int64     // first step seen by this printer, for the ETA
	firstTime time.Time // when it was seen
}

// Follow prints the run's events until the run ends or ctx is cancelled. It returns the run's final
// status.
func (p *Printer) Follow(ctx context.Context, l *lab.Lab, run *lab.Run) lab.Status {
	sub := l.Subscribe()
	defer sub.Close()
	for {
		p.drain(run)
		select {
		case <-run.Done():
			p.drain(run)
			return run.Info().Status
		case <-ctx.Done():
			p.drain(run)
			return run.Info().Status
		case <-sub.C():
		}
	}
}

func (p *Printer) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Printer) drain(run *lab.Run) {
	evs, n := run.Since(p.seen)
	p.seen = n
	for _, ev := range evs {
		p.Print(run.ID(), ev.Body)
	}
}

// Print writes the line for one event (if that event gets one).
func (p *Printer) Print(id string, b lab.Body) {
	every := p.Every
	if every <= 0 {
		every = 2 * time.Second
	}
	switch v := b.(type) {
	case lab.Started:
		if v.Resumed {
			fmt.Fprintf(p.Out, "%s: resumed %s run from step %d\n", id, v.Experiment, v.FromStep)
		} else {
			fmt.Fprintf(p.Out, "%s: started %s run\n", id, v.Experiment)
		}
	case lab.Progress:
		p.total = v.TotalSteps
	case lab.StepMetrics:
		p.last = v
		now := p.now()
		if p.firstTime.IsZero() {
			p.firstStep, p.firstTime = v.Step, now
		}
		if now.Sub(p.lastLine) >= every {
			p.lastLine, p.printed = now, v.Step
			fmt.Fprintf(p.Out, "%s: step %d/%d epoch %d loss %.4f lr %.3g %.0f samples/s%s\n",
				id, v.Step, p.total, v.Epoch, v.Loss, v.LR, v.SamplesPerSec, p.eta(v))
		}
	case lab.EpochSummary:
		fmt.Fprintf(p.Out, "%s: eval step %d epoch %d train_loss %.4f test_loss %.4f test_acc %.4f\n",
			id, v.Step, v.Epoch, v.TrainLoss, v.TestLoss, v.TestAcc)
	case lab.SettingApplied:
		fmt.Fprintf(p.Out, "%s: %s set to %g by %s at step %d\n", id, v.Name, v.Value, v.By, v.Step)
	case lab.StatusChanged:
		fmt.Fprintf(p.Out, "%s: %s at step %d (by %s)\n", id, v.Status, v.Step, v.By)
	case lab.CheckpointSaved:
		// Frequent and not interesting line by line; the end line names the last one.
	case lab.Message:
		fmt.Fprintf(p.Out, "%s: %s: %s\n", id, v.Level, v.Text)
	case lab.Failed:
		fmt.Fprintf(p.Out, "%s: FAILED after step %d: %s\n", id, v.Step, v.Reason)
	case lab.Stopped:
		fmt.Fprintf(p.Out, "%s: stopped after step %d: %s\n", id, v.Step, v.Reason)
	case lab.Finished:
		fmt.Fprintf(p.Out, "%s: finished at step %d\n", id, v.Step)
		for _, k := range headline {
			if x, ok := v.Results[k]; ok {
				fmt.Fprintf(p.Out, "%s:   %s = %v\n", id, k, x)
			}
		}
	}
}

// headline lists the results printed at the end, in order, when present.
var headline = []string{"test_acc", "test_loss", "train_loss", "samples_per_sec", "wall_seconds"}

func (p *Printer) eta(v lab.StepMetrics) string {
	done := v.Step - p.firstStep
	left := p.total - v.Step
	secs := p.now().Sub(p.firstTime).Seconds()
	if p.total <= 0 || done <= 0 || left <= 0 || secs <= 0 {
		return ""
	}
	eta := time.Duration(secs / float64(done) * float64(left) * float64(time.Second))
	return " ETA " + eta.Round(time.Second).String()
}
