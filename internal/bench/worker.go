package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// Environment of a worker process. workerEnv names the workload; the others are the plan.
const (
	workerEnv  = "LOGITLAB_BENCH_WORKER"
	stepsEnv   = "LOGITLAB_BENCH_STEPS"   // minimum timed steps
	secondsEnv = "LOGITLAB_BENCH_SECONDS" // minimum timed seconds
	warmupEnv  = "LOGITLAB_BENCH_WARMUP"  // untimed steps first
)

// resultPrefix starts the worker's result line on stdout, so that anything else the program
// prints there cannot be mistaken for it.
const resultPrefix = "logitlab-bench-result "

// plan is how long one run measures: at least minSteps timed steps and at least minSeconds,
// after warmup untimed steps.
type plan struct {
	warmup     int
	minSteps   int
	minSeconds float64
}

func (p plan) env() []string {
	return []string{
		stepsEnv + "=" + strconv.Itoa(p.minSteps),
		secondsEnv + "=" + strconv.FormatFloat(p.minSeconds, 'g', -1, 64),
		warmupEnv + "=" + strconv.Itoa(p.warmup),
	}
}

func planFromEnv(getenv func(string) string) (plan, error) {
	p := plan{warmup: 3, minSteps: 3, minSeconds: 2.5}
	for _, f := range []struct {
		name string
		set  func(string) error
	}{
		{stepsEnv, func(s string) (err error) { p.minSteps, err = strconv.Atoi(s); return }},
		{secondsEnv, func(s string) (err error) { p.minSeconds, err = strconv.ParseFloat(s, 64); return }},
		{warmupEnv, func(s string) (err error) { p.warmup, err = strconv.Atoi(s); return }},
	} {
		if s := getenv(f.name); s != "" {
			if err := f.set(s); err != nil {
				return plan{}, fmt.Errorf("bench worker: %s=%q: %w", f.name, s, err)
			}
		}
	}
	if p.minSteps < 1 || p.warmup < 0 || p.minSeconds < 0 {
		return plan{}, fmt.Errorf("bench worker: need %s ≥ 1, %s ≥ 0, %s ≥ 0; got %d, %d, %g",
			stepsEnv, warmupEnv, secondsEnv, p.minSteps, p.warmup, p.minSeconds)
	}
	return p, nil
}

// workerResult is the worker's report, one JSON object after resultPrefix.
type workerResult struct {
	Workload   string  `json:"workload"`
	Steps      int     `json:"steps"`
	Seconds    float64 `json:"seconds"`
	GOMAXPROCS int     `json:"gomaxprocs"`
	PeakRSSMB  float64 `json:"peak_rss_mb"` // the worker's own view; the parent's rusage is used
	Error      string  `json:"error,omitempty"`
}

// MaybeWorker runs the benchmark worker and returns true when this process was started as one
// (LOGITLAB_BENCH_WORKER is set); the caller must then return from main without doing anything
// else. It returns false at once otherwise. Call it early in main, after the BLAS is chosen (so
// the worker measures the same kernels the program uses) and before flags are parsed.
//
// The worker sets the workload up, runs the warm-up steps, collects garbage, then times steps
// until both the minimum steps and the minimum seconds are reached, and prints one result line
// on stdout. A failure is reported in that line, not by the exit code.
func MaybeWorker(reg Registry) (handled bool) {
	name := os.Getenv(workerEnv)
	if name == "" {
		return false
	}
	res := work(reg, name, os.Getenv, time.Now)
	writeResult(os.Stdout, res)
	return true
}

func writeResult(w io.Writer, res workerResult) {
	b, err := json.Marshal(res)
	if err != nil { // cannot happen for this struct; say so rather than print nothing
		b = []byte(`{"error":"bench worker: encode result: ` + strconv.Quote(err.Error()) + `"}`)
	}
	fmt.Fprintf(w, "%s%s\n", resultPrefix, b)
}

// work runs one measurement; errors go into the result.
func work(reg Registry, name string, getenv func(string) string, now func() time.Time) (res workerResult) {
	res = workerResult{Workload: name, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	defer func() {
		if r := recover(); r != nil {
			res.Error = fmt.Sprintf("bench worker %s: panic: %v", name, r)
		}
		res.PeakRSSMB = selfPeakRSSMB()
	}()
	w, ok := reg.Lookup(name)
	if !ok {
		res.Error = fmt.Sprintf("bench worker: unknown workload %q", name)
		return res
	}
	p, err := planFromEnv(getenv)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	step, done, err := w.Setup()
	if err != nil {
		res.Error = fmt.Sprintf("bench worker: set up %s: %v", name, err)
		return res
	}
	if done != nil {
		defer done()
	}
	for i := 0; i < p.warmup; i++ {
		if err := step(); err != nil {
			res.Error = fmt.Sprintf("bench worker: %s warm-up step %d: %v", name, i+1, err)
			return res
		}
	}
	runtime.GC()
	start := now()
	var elapsed time.Duration
	for res.Steps < p.minSteps || elapsed.Seconds() < p.minSeconds {
		if err := step(); err != nil {
			res.Error = fmt.Sprintf("bench worker: %s timed step %d: %v", name, res.Steps+1, err)
			return res
		}
		res.Steps++
		elapsed = now().Sub(start)
	}
	res.Seconds = elapsed.Seconds()
	return res
}

// selfPeakRSSMB is this process's peak resident set size in MiB (Linux reports KiB).
func selfPeakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
