package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// Options configures Run. Zero values take the defaults in brackets.
type Options struct {
	Workloads    []string      // names to run, in this order [all]
	Rounds       int           // interleaved rounds; the median is reported [3]
	AgainstTorch bool          // also run scripts/torch_bench.py on the same shapes
	JSON         bool          // write JSON instead of the table
	MinTime      time.Duration // timed part of each run, at least [2.5 s]
	MinSteps     int           // timed steps of each run, at least [3]
	Warmup       int           // untimed steps before timing [3]

	// TorchThreads are the torch.set_num_threads values tried each round; the fastest counts [1, 2].
	TorchThreads []int
	// TorchEnv is added to the PyTorch runs' environment after OPENBLAS_NUM_THREADS=1, so it can
	// override it, e.g. "OPENBLAS_CORETYPE=SkylakeX" to match our kernels. OPENBLAS_CORETYPE
	// from our own environment is passed through anyway.
	TorchEnv    []string
	Python      string // interpreter for the peer [/usr/bin/python3 if it imports torch, else python3]
	TorchScript string // path of torch_bench.py [scripts/torch_bench.py in or above the working directory]

	// Exe is the binary re-executed as the worker; it must call MaybeWorker [os.Executable()].
	Exe string
	// OursNote describes our side for the report header, e.g. the BLAS in use.
	OursNote string
	// Progress, if not nil, gets one line per measured run as it finishes.
	Progress io.Writer
}

func (o Options) withDefaults() Options {
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	if o.MinTime <= 0 {
		o.MinTime = 2500 * time.Millisecond
	}
	if o.MinSteps <= 0 {
		o.MinSteps = 3
	}
	if o.Warmup <= 0 {
		o.Warmup = 3
	}
	if len(o.TorchThreads) == 0 {
		o.TorchThreads = []int{1, 2}
	}
	return o
}

func (o Options) plan() plan {
	return plan{warmup: o.Warmup, minSteps: o.MinSteps, minSeconds: o.MinTime.Seconds()}
}

// Round is one round of one workload: our run and PyTorch's runs, one per thread count.
type Round struct {
	Ours  Sample   `json:"ours"`
	Torch []Sample `json:"torch,omitempty"` // in Options.TorchThreads order; failed runs left out
	// TorchErr says why PyTorch runs of this round failed, if any did.
	TorchErr string `json:"torch_error,omitempty"`
}

// TorchBest is this round's fastest PyTorch run; ok is false when none succeeded.
func (r Round) TorchBest() (s Sample, ok bool) {
	for _, t := range r.Torch {
		if !ok || t.SamplesPerSec > s.SamplesPerSec {
			s, ok = t, true
		}
	}
	return s, ok
}

// Result is one workload's measurements and their summary.
type Result struct {
	Name           string
	About          string
	SamplesPerStep int
	FLOPsPerStep   float64
	Rounds         []Round

	OursSamplesPerSec float64 // median over rounds
	OursPeakRSSMB     float64 // largest over rounds
	OursGFLOPS        float64 // at the median
	OursPeakShare     float64 // OursGFLOPS / machine peak

	// TorchRan is true when at least one round has a PyTorch measurement; the Torch fields are
	// zero otherwise.
	TorchRan           bool
	TorchSamplesPerSec float64 // median over rounds of each round's fastest thread count
	TorchPeakRSSMB     float64 // largest over all PyTorch runs
	TorchGFLOPS        float64
	TorchPeakShare     float64
	// Ratio is PyTorch's time per sample over ours (> 1: we are faster): the median over rounds
	// of ours ÷ PyTorch's best, each pair measured back to back.
	Ratio float64
}

// Run measures the selected workloads, interleaved: in each of opt.Rounds rounds, for each
// workload, our worker, then PyTorch at each thread count. It writes the table (or JSON) to out
// and returns the results. A workload whose own side fails is left out of the report and its
// error is returned, joined with the others, after the report is written; PyTorch failures are
// reported in the output and do not fail Run. Cancelling ctx kills the running child and
// returns ctx's error.
func Run(ctx context.Context, opt Options, reg Registry, out io.Writer) ([]Result, error) {
	opt = opt.withDefaults()
	sel, err := reg.Select(opt.Workloads)
	if err != nil {
		return nil, err
	}
	exe := opt.Exe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("bench: find this program to re-execute as the worker: %w", err)
		}
	}
	env := append([]string{"OPENBLAS_NUM_THREADS=1"}, opt.TorchEnv...)
	var info TorchInfo
	if opt.AgainstTorch {
		info = findTorch(ctx, opt.Python, opt.TorchScript, env)
	}
	r := procRunner{exe: exe, python: info.Python, script: info.Script, env: env}
	return run(ctx, opt, sel, out, r, info, MachinePeak())
}

// run is Run with its collaborators given, so tests can use a fake runner.
func run(ctx context.Context, opt Options, sel Registry, out io.Writer, r runner, info TorchInfo, peak Peak) ([]Result, error) {
	for _, w := range sel {
		if err := w.validate(); err != nil {
			return nil, err
		}
	}
	p := opt.plan()
	rounds := make([][]Round, len(sel))
	failed := make([]error, len(sel))
	for round := 1; round <= opt.Rounds; round++ {
		for i, w := range sel {
			if failed[i] != nil {
				continue
			}
			rd, err := measureRound(ctx, opt, w, p, r, info, round)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil {
				failed[i] = fmt.Errorf("bench %s, round %d: %w", w.Name, round, err)
				continue
			}
			rounds[i] = append(rounds[i], rd)
		}
	}
	rep := report{Rounds: opt.Rounds, Peak: peak, OursNote: opt.OursNote}
	for i, w := range sel {
		if failed[i] != nil {
			rep.Errors = append(rep.Errors, failed[i].Error())
			continue
		}
		rep.Results = append(rep.Results, summarize(w, rounds[i], peak))
	}
	results := rep.Results
	if opt.AgainstTorch {
		rep.Torch = &info
		fillTorchCore(rep.Torch, results)
	}
	var werr error
	if opt.JSON {
		werr = writeJSON(out, rep)
	} else {
		werr = writeTable(out, rep)
	}
	if werr != nil {
		werr = fmt.Errorf("bench: write the report: %w", werr)
	}
	return results, errors.Join(append(failed, werr)...)
}

// measureRound runs our side, then PyTorch at each thread count.
func measureRound(ctx context.Context, opt Options, w Workload, p plan, r runner, info TorchInfo, round int) (Round, error) {
	var rd Round
	s, err := r.ours(ctx, w, p)
	if err != nil {
		return rd, err
	}
	rd.Ours = s
	progress(opt.Progress, "round %d/%d %-8s ours   %10.1f samples/s (%d steps in %.2f s, peak RSS %.0f MB)",
		round, opt.Rounds, w.Name, s.SamplesPerSec, s.Steps, s.Seconds, s.PeakRSSMB)
	if !opt.AgainstTorch || !info.Available || w.TorchName == "" {
		return rd, nil
	}
	var errs []error
	for _, th := range opt.TorchThreads {
		t, err := r.torch(ctx, w, p, th)
		if ctx.Err() != nil {
			return rd, ctx.Err()
		}
		if err != nil {
			errs = append(errs, err)
			progress(opt.Progress, "round %d/%d %-8s torch  %d thread(s) failed: %v", round, opt.Rounds, w.Name, th, err)
			continue
		}
		rd.Torch = append(rd.Torch, t)
		progress(opt.Progress, "round %d/%d %-8s torch  %10.1f samples/s (%d thread(s), %d steps in %.2f s, peak RSS %.0f MB)",
			round, opt.Rounds, w.Name, t.SamplesPerSec, th, t.Steps, t.Seconds, t.PeakRSSMB)
	}
	if err := errors.Join(errs...); err != nil {
		rd.TorchErr = err.Error()
	}
	return rd, nil
}

func progress(w io.Writer, format string, a ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", a...)
	}
}

// summarize computes the medians, ratio, peaks and GFLOP/s of one workload's rounds.
func summarize(w Workload, rounds []Round, peak Peak) Result {
	res := Result{Name: w.Name, About: w.About, SamplesPerStep: w.SamplesPerStep, FLOPsPerStep: w.FLOPsPerStep, Rounds: rounds}
	var ours, torch, ratios []float64
	for _, rd := range rounds {
		ours = append(ours, rd.Ours.SamplesPerSec)
		res.OursPeakRSSMB = max(res.OursPeakRSSMB, rd.Ours.PeakRSSMB)
		for _, t := range rd.Torch {
			res.TorchPeakRSSMB = max(res.TorchPeakRSSMB, t.PeakRSSMB)
		}
		if b, ok := rd.TorchBest(); ok && b.SamplesPerSec > 0 {
			torch = append(torch, b.SamplesPerSec)
			ratios = append(ratios, rd.Ours.SamplesPerSec/b.SamplesPerSec)
		}
	}
	flopsPerSample := w.FLOPsPerStep / float64(w.SamplesPerStep)
	res.OursSamplesPerSec = median(ours)
	res.OursGFLOPS = res.OursSamplesPerSec * flopsPerSample / 1e9
	res.OursPeakShare = peak.Share(res.OursGFLOPS)
	if len(torch) > 0 {
		res.TorchRan = true
		res.TorchSamplesPerSec = median(torch)
		res.TorchGFLOPS = res.TorchSamplesPerSec * flopsPerSample / 1e9
		res.TorchPeakShare = peak.Share(res.TorchGFLOPS)
		res.Ratio = median(ratios)
	}
	return res
}

// median of xs (the mean of the two middle values for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// fillTorchCore records the OpenBLAS kernel family PyTorch reported, and its version.
func fillTorchCore(info *TorchInfo, results []Result) {
	for _, r := range results {
		for _, rd := range r.Rounds {
			for _, t := range rd.Torch {
				if t.OpenBLASCore != "" {
					info.OpenBLASCore = t.OpenBLASCore
					return
				}
			}
		}
	}
}
