package lab_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/internal/runlog"
	"github.com/logitlab/logitlab/lab"
)

func newLab(t *testing.T, exps ...lab.Experiment) *lab.Lab {
	t.Helper()
	l, err := lab.New(lab.Params{RunsDir: t.TempDir(), Experiments: exps, FlushEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func start(t *testing.T, l *lab.Lab, ctx context.Context) *lab.Run {
	t.Helper()
	r, err := l.Start(ctx, lab.Spec{Experiment: "counter", Config: config.Default()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func waitDone(t *testing.T, r *lab.Run) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("run %s did not end within 10 s", r.ID())
	}
}

// steps returns the Step of every StepMetrics event, in order.
func steps(evs []lab.Event) []int64 {
	var out []int64
	for _, ev := range evs {
		if m, ok := ev.Body.(lab.StepMetrics); ok {
			out = append(out, m.Step)
		}
	}
	return out
}

func losses(evs []lab.Event) []float64 {
	var out []float64
	for _, ev := range evs {
		if m, ok := ev.Body.(lab.StepMetrics); ok {
			out = append(out, m.Loss)
		}
	}
	return out
}

func last(evs []lab.Event) lab.Body { return evs[len(evs)-1].Body }

func TestRunFinishesAndWritesItsDirectory(t *testing.T) {
	l := newLab(t, labtest.Counter{Steps: 20, CheckpointEvery: 5, EvalEvery: 10})
	r := start(t, l, context.Background())
	waitDone(t, r)
	evs, _ := r.Since(0)
	if got := steps(evs); len(got) != 20 || got[0] != 1 || got[19] != 20 {
		t.Fatalf("steps = %v, want 1..20", got)
	}
	fin, ok := last(evs).(lab.Finished)
	if !ok {
		t.Fatalf("last event = %#v, want Finished", last(evs))
	}
	if fin.Results["steps"] != int64(20) {
		t.Errorf("results = %v", fin.Results)
	}
	if info := r.Info(); info.Status != lab.StatusFinished || info.Step != 20 || info.TotalSteps != 20 {
		t.Errorf("info = %+v", info)
	}
	for _, f := range []string{"config.toml", "events.jsonl", "results.json"} {
		if _, err := os.Stat(filepath.Join(r.Dir(), f)); err != nil {
			t.Errorf("run directory lacks %s: %v", f, err)
		}
	}
	ckpts, _ := filepath.Glob(filepath.Join(r.Dir(), "checkpoints", "*"))
	if len(ckpts) != 3 { // every 5 steps → 4 saved, the newest 3 kept (the default keep)
		t.Errorf("checkpoints = %v, want the newest 3", ckpts)
	}
	// The log holds exactly the events the store holds.
	recs, err := runlog.ReadFile(filepath.Join(r.Dir(), "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(evs) {
		t.Fatalf("log has %d records, store %d events", len(recs), len(evs))
	}
	for i := range recs {
		if recs[i].Kind != evs[i].Body.Kind() || recs[i].Seq != evs[i].Seq {
			t.Fatalf("record %d = %s/%d, event %s/%d", i, recs[i].Kind, recs[i].Seq, evs[i].Body.Kind(), evs[i].Seq)
		}
	}
	var res map[string]any
	b, _ := os.ReadFile(filepath.Join(r.Dir(), "results.json"))
	if err := json.Unmarshal(b, &res); err != nil || res["steps"] != 20.0 {
		t.Errorf("results.json = %s (%v)", b, err)
	}
}

func TestCommandsAreAppliedAndReported(t *testing.T) {
	hook := make(chan int64, 1000)
	l := newLab(t, labtest.Counter{Steps: 1_000_000, Delay: time.Millisecond, StepHook: func(s int64) { hook <- s }})
	r := start(t, l, context.Background())
	<-hook
	if err := r.Send(lab.Set("lr", 0.5, "alice")); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(lab.Set("lr", -1, "bob")); err != nil { // refused by the run, reported as a warning
		t.Fatal(err)
	}
	if err := r.Send(lab.Set("momentum", 0.5, "bob")); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(lab.Pause("alice")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return r.Info().Status == lab.StatusPaused })
	pausedAt := r.Info().Step
	time.Sleep(30 * time.Millisecond)
	if s := r.Info().Step; s != pausedAt {
		t.Fatalf("a paused run kept stepping: %d → %d", pausedAt, s)
	}
	if err := r.Send(lab.Set("lr", 0.25, "alice")); err != nil { // applied while paused
		t.Fatal(err)
	}
	if err := r.Send(lab.Resume("alice")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return r.Info().Step > pausedAt+2 })
	if err := r.Send(lab.Stop("carol")); err != nil {
		t.Fatal(err)
	}
	waitDone(t, r)
	evs, _ := r.Since(0)
	var applied []float64
	var warnings []string
	for _, ev := range evs {
		switch v := ev.Body.(type) {
		case lab.SettingApplied:
			applied = append(applied, v.Value)
		case lab.Message:
			if v.Level == "warn" {
				warnings = append(warnings, v.Text)
			}
		}
	}
	if len(applied) != 2 || applied[0] != 0.5 || applied[1] != 0.25 {
		t.Errorf("applied lr values = %v, want [0.5 0.25]", applied)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "out of range") || !strings.Contains(warnings[1], "momentum") {
		t.Errorf("warnings = %q", warnings)
	}
	stop, ok := last(evs).(lab.Stopped)
	if !ok || !strings.Contains(stop.Reason, "carol") || !strings.Contains(stop.Reason, "--resume") {
		t.Fatalf("last event = %#v, want Stopped by carol with a resume hint", last(evs))
	}
	if got := r.Info().Settings["lr"]; got != 0.25 {
		t.Errorf("Info().Settings[lr] = %v, want 0.25", got)
	}
	if err := r.Send(lab.Pause("x")); err == nil {
		t.Error("Send to an ended run succeeded")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPanicEndsOnlyThatRun(t *testing.T) {
	l := newLab(t, labtest.Counter{Steps: 10, PanicAt: 4})
	bad := start(t, l, context.Background())
	waitDone(t, bad)
	evs, _ := bad.Since(0)
	f, ok := last(evs).(lab.Failed)
	if !ok || !strings.Contains(f.Reason, "deliberate panic at step 4") || !strings.Contains(f.Stack, "counter.go") || f.Step != 3 {
		t.Fatalf("last event = %#v, want Failed with the panic, a stack, step 3", last(evs))
	}
	// The lab goes on: another run works.
	l2 := newLab(t, labtest.Counter{Steps: 3})
	ok2 := start(t, l2, context.Background())
	waitDone(t, ok2)
	if ok2.Info().Status != lab.StatusFinished {
		t.Fatalf("second run: %+v", ok2.Info())
	}
}

func TestDivergenceEndsTheRunWithTheStep(t *testing.T) {
	l := newLab(t, labtest.Counter{Steps: 10, NaNAt: 6})
	r := start(t, l, context.Background())
	waitDone(t, r)
	evs, _ := r.Since(0)
	f, ok := last(evs).(lab.Failed)
	if !ok || !strings.Contains(f.Reason, "step 6") || !strings.Contains(f.Reason, "NaN") {
		t.Fatalf("last event = %#v", last(evs))
	}
	if got := steps(evs); len(got) != 5 {
		t.Errorf("steps = %v, want 1..5 (no metric for the diverged step)", got)
	}
}

func TestCancelStopsWithinAStepAndCheckpoints(t *testing.T) {
	hook := make(chan int64, 1<<20)
	l := newLab(t, labtest.Counter{Steps: 1 << 40, StepHook: func(s int64) { hook <- s }})
	ctx, cancel := context.WithCancel(context.Background())
	r := start(t, l, ctx)
	<-hook
	cancel()
	waitDone(t, r)
	evs, _ := r.Since(0)
	st, ok := last(evs).(lab.Stopped)
	if !ok || !strings.Contains(st.Reason, "cancelled") {
		t.Fatalf("last event = %#v", last(evs))
	}
	var saved bool
	for _, ev := range evs {
		if c, ok := ev.Body.(lab.CheckpointSaved); ok && c.Step == st.Step {
			saved = true
		}
	}
	if !saved {
		t.Error("no checkpoint at the step the run stopped")
	}
}

func TestSlowViewerNeverBlocksTheRun(t *testing.T) {
	l := newLab(t, labtest.Counter{Steps: 2000})
	sub := l.Subscribe() // never read
	defer sub.Close()
	r := start(t, l, context.Background())
	waitDone(t, r)
	if r.Info().Status != lab.StatusFinished {
		t.Fatal(r.Info())
	}
	select {
	case <-sub.C():
	default:
		t.Fatal("the doorbell was not rung")
	}
	if l.Subscribers() != 1 {
		t.Fatal("subscriber count")
	}
	sub.Close()
	if l.Subscribers() != 0 {
		t.Fatal("Close did not remove the subscription")
	}
}

// TestResumeAfterCrashLosesAndRepeatsNoStep simulates a kill -9: the log holds metric steps past the
// newest checkpoint, and no final event. Resume must cut those steps and redo them, so the final log
// has each step exactly once, with the same losses as an uninterrupted run.
func TestResumeAfterCrashLosesAndRepeatsNoStep(t *testing.T) {
	exp := labtest.Counter{Steps: 30, CheckpointEvery: 10, EvalEvery: 5}
	ref := newLab(t, exp)
	want := start(t, ref, context.Background())
	waitDone(t, want)
	wantEvs, _ := want.Since(0)

	dir := t.TempDir()
	var once sync.Once
	crashed := make(chan struct{})
	crashAt := labtest.Counter{Steps: 30, CheckpointEvery: 10, EvalEvery: 5, StepHook: func(s int64) {
		if s == 24 {
			once.Do(func() { close(crashed) })
			select {} // hang like a killed process: no final event, no more steps
		}
	}}
	l1, err := lab.New(lab.Params{RunsDir: dir, Experiments: []lab.Experiment{crashAt}, FlushEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r1, err := l1.Start(context.Background(), lab.Spec{Experiment: "counter", Config: config.Default(), ID: "crash-test"})
	if err != nil {
		t.Fatal(err)
	}
	<-crashed
	waitFor(t, func() bool { // the flusher has written step 24 to the file
		recs, _ := runlog.ReadFile(filepath.Join(r1.Dir(), "events.jsonl"))
		return len(recs) > 0 && strings.Contains(string(recs[len(recs)-1].Data), `"step":24`)
	})

	// A fresh lab (a new process) over the same directory resumes the run.
	l2, err := lab.New(lab.Params{RunsDir: dir, Experiments: []lab.Experiment{exp}, FlushEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if probs := l2.LoadRuns(); len(probs) != 0 {
		t.Fatal(probs)
	}
	old, _ := l2.Run("crash-test")
	if old.Info().Status != lab.StatusInterrupted {
		t.Fatalf("a crashed run on disk has status %s, want interrupted", old.Info().Status)
	}
	r2, err := l2.Resume(context.Background(), "crash-test")
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, r2)
	gotEvs, _ := r2.Since(0)
	if got, want := steps(gotEvs), steps(wantEvs); !slices.Equal(got, want) {
		t.Fatalf("steps after resume = %v\nwant %v", got, want)
	}
	if got, want := losses(gotEvs), losses(wantEvs); !slices.Equal(got, want) {
		t.Fatalf("losses after resume = %v\nwant %v", got, want)
	}
	var resumedFrom int64 = -1
	for _, ev := range gotEvs {
		if s, ok := ev.Body.(lab.Started); ok && s.Resumed {
			resumedFrom = s.FromStep
		}
	}
	if resumedFrom != 20 {
		t.Errorf("resumed from step %d, want 20 (the newest checkpoint)", resumedFrom)
	}
	// The log on disk says the same as the store.
	recs, err := runlog.ReadFile(filepath.Join(dir, "crash-test", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(gotEvs) {
		t.Fatalf("log has %d records, store %d", len(recs), len(gotEvs))
	}
	if r2.Info().Status != lab.StatusFinished {
		t.Fatal(r2.Info())
	}
}

func TestBadInput(t *testing.T) {
	l := newLab(t, labtest.Counter{Steps: 1})
	if _, err := l.Start(context.Background(), lab.Spec{Experiment: "nope", Config: config.Default()}); err == nil || !strings.Contains(err.Error(), "counter") {
		t.Errorf("unknown experiment: %v", err)
	}
	if _, err := l.Resume(context.Background(), "../etc"); err == nil {
		t.Error("a path-like run id was accepted")
	}
	if _, err := l.Resume(context.Background(), "missing"); err == nil || !strings.Contains(err.Error(), "logitlab runs") {
		t.Errorf("missing run: %v", err)
	}
}
