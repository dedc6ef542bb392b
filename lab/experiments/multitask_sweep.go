package experiments

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/theory"
)

// RunJob trains one job of the grid and returns its result. It is deterministic: the same job and
// settings give the same numbers in any process, in any order, on any shard (with the same BLAS).
func (g MultitaskGrid) RunJob(ctx context.Context, j MultitaskJob) (MultitaskCell, error) {
	began := time.Now()
	tasks, err := theory.Generate(g.taskParams(j))
	if err != nil {
		return MultitaskCell{}, err
	}
	f := g.Fixed
	heads, aux := 1, 0
	if j.Multi {
		heads, aux = 2, j.NAux/j.NTrain
	}
	s, err := theory.NewStudent(theory.StudentSpec{In: f.D, Width: f.Width, Depth: j.Depth, Classes: f.Classes,
		Heads: heads, Linear: f.Trunk == "linear"}, uint64(j.Seed))
	if err != nil {
		return MultitaskCell{}, err
	}
	res, err := theory.Fit(ctx, s, tasks, theory.FitParams{LR: f.LR, Batch: f.Batch, Epochs: f.Epochs, AuxSteps: aux,
		Patience: f.Patience, EvalBatch: 128, Seed: uint64(j.Seed)})
	if err != nil {
		return MultitaskCell{}, fmt.Errorf("training %s: %w", j.Name(), err)
	}
	return MultitaskCell{Job: j, Fingerprint: f.Fingerprint(), Fixed: f, BestLoss: res.BestLoss, BestAcc: res.BestAcc,
		BestEpoch: res.BestEpoch, Epochs: res.Epochs, WallSeconds: time.Since(began).Seconds()}, nil
}

type mtJobResult struct {
	cell MultitaskCell
	err  error
}

// runSweep runs this shard's jobs that have no result file yet, workers at a time, writing each
// result atomically as it finishes; then writes the tables and the figure of everything in the cells
// folder into the run directory.
func mtRunSweep(ctx context.Context, env *lab.Env) error {
	cfg := env.Config().Multitask
	grid, err := MultitaskGridFromConfig(cfg)
	if err != nil {
		return err
	}
	shard, err := ParseMultitaskShard(cfg.Shard)
	if err != nil {
		return err
	}
	cellsDir := cfg.CellsDir
	if cellsDir == "" {
		cellsDir = filepath.Join(env.Dir(), "cells")
	}
	if err := os.MkdirAll(cellsDir, 0o755); err != nil {
		return fmt.Errorf("multitask: create cells folder: %w", err)
	}
	all := grid.Jobs()
	mine := shard.Select(all, grid.Fixed)
	fp := grid.Fixed.Fingerprint()
	view := newMTSweepView(env, grid)
	var pending []MultitaskJob
	for _, j := range mine {
		c, ok, err := mtReadCell(cellsDir, j, fp)
		if err != nil {
			return err
		}
		if ok {
			view.add(c)
		} else {
			pending = append(pending, j)
		}
	}
	// Results other shards have already written show in the live view too; a file that cannot be
	// read fails the run now rather than after hours of training.
	others, err := LoadMultitaskCells(cellsDir)
	if err != nil {
		return err
	}
	for _, c := range others {
		view.add(c)
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	total, done := int64(len(mine)), int64(len(mine)-len(pending))
	env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf(
		"grid: %d trainings (%d multitask, %d single-task baselines) over %d seeds; shard %d/%d runs %d, %d already in %s; %d at once",
		len(all), mtCountMulti(all), len(all)-mtCountMulti(all), grid.Seeds, shard.I, shard.N, len(mine), done, cellsDir, workers)})
	view.emitAll()
	began := time.Now()
	env.Emit(lab.Progress{Step: done, TotalSteps: total})

	st := &mtProgress{done: done, name: "multitask"}
	jobCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan MultitaskJob)
	results := make(chan mtJobResult)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, max(1, len(pending))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c, err := grid.RunJob(jobCtx, j)
				if err == nil {
					err = mtWriteCell(cellsDir, c)
				}
				select {
				case results <- mtJobResult{c, err}:
				case <-jobCtx.Done():
					return
				}
			}
		}()
	}
	var closeOnce sync.Once
	stopWorkers := func() {
		cancel()
		closeOnce.Do(func() { close(jobs) })
		wg.Wait()
	}
	next, inFlight := 0, 0
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var ran int64
	var ranCost, allCost float64
	for _, j := range pending {
		allCost += j.cost(grid.Fixed)
	}
	for next < len(pending) || inFlight > 0 {
		var feed chan MultitaskJob
		var j MultitaskJob
		if next < len(pending) {
			feed, j = jobs, pending[next]
		}
		select {
		case feed <- j:
			next++
			inFlight++
		case r := <-results:
			inFlight--
			if r.err != nil {
				stopWorkers()
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return r.err
			}
			st.done++
			ran++
			ranCost += r.cell.Job.cost(grid.Fixed)
			view.add(r.cell)
			view.emitChanged()
			elapsed := time.Since(began).Seconds()
			env.Emit(lab.Progress{Step: st.done, TotalSteps: total, Elapsed: elapsed})
			env.Emit(lab.Message{Level: "info", Text: fmt.Sprintf("%d/%d %s: loss %.4f at epoch %d (%.1fs)%s",
				st.done, total, r.cell.Job.Name(), r.cell.BestLoss, r.cell.BestEpoch, r.cell.WallSeconds,
				mtETA(elapsed, ranCost, allCost))})
		case <-tick.C:
		}
		if err := env.Between(ctx, st.done, st); err != nil {
			stopWorkers()
			return err
		}
	}
	stopWorkers()
	return mtFinishSweep(env, grid, shard, cellsDir, ran, time.Since(began).Seconds())
}

func mtCountMulti(js []MultitaskJob) int {
	n := 0
	for _, j := range js {
		if j.Multi {
			n++
		}
	}
	return n
}

// eta estimates the time left from the cost done so far (trainings differ in length by n_train).
func mtETA(elapsed, done, all float64) string {
	if done <= 0 || all <= done {
		return ""
	}
	left := elapsed * (all - done) / done
	return fmt.Sprintf(", about %s left", (time.Duration(left) * time.Second).Round(time.Second))
}

// finishSweep writes the tables and the figure of everything in the cells folder into the run
// directory and records the results.
func mtFinishSweep(env *lab.Env, grid MultitaskGrid, shard MultitaskShard, cellsDir string, ran int64, wall float64) error {
	cells, err := LoadMultitaskCells(cellsDir)
	if err != nil {
		return err
	}
	rows, missing := MultitaskTable(cells)
	sums := SummarizeMultitask(rows)
	if err := writeMultitaskOutputs(env.Dir(), rows, sums); err != nil {
		return err
	}
	if missing > 0 {
		env.Emit(lab.Message{Level: "warn", Text: fmt.Sprintf("%d multitask results wait for their single-task baseline "+
			"(another shard runs it); merge when all shards are done: logitlab sweep merge %s", missing, cellsDir)})
	}
	results := map[string]any{
		"trainings_run": ran, "cells": len(sums), "rows": len(rows), "missing_baselines": missing,
		"wall_seconds": wall, "cells_dir": cellsDir, "shard": fmt.Sprintf("%d/%d", shard.I, shard.N),
		"table_csv": filepath.Join(env.Dir(), "multitask_cells.csv"), "summary_csv": filepath.Join(env.Dir(), "multitask_summary.csv"),
		"figure_png": filepath.Join(env.Dir(), "multitask_benefit.png"),
	}
	for _, s := range sums {
		results["benefit "+mtCellLabel(s.mtCellKey)] = s.Benefit
		results["benefit_sem "+mtCellLabel(s.mtCellKey)] = s.BenefitSEM
	}
	if t, ok := mtPaperComparison(sums); ok {
		env.Emit(t)
		for _, r := range t.Rows {
			env.Emit(lab.Message{Level: "info", Text: "paper check: " + strings.Join(r, "  ")})
		}
	}
	env.Emit(lab.Message{Level: "info", Text: "wrote " + filepath.Join(env.Dir(), "multitask_summary.csv") + " and multitask_benefit.png"})
	return env.SetResults(results)
}

func mtCellLabel(k mtCellKey) string {
	return fmt.Sprintf("n=%d aux=%d s_a=%s s_b=%s r=%s depth=%d", k.NTrain, k.NAux, mtShort(k.SA), mtShort(k.SB), mtShort(k.R), k.Depth)
}

// authorsBenefit holds the authors' released benefits (nats, mean of 5 seeds) for rank 10, n = 800,
// s_a = s_b = 10, and what a PyTorch re-run of their recipe gave (research/papers.md §2a).
var mtAuthorsBenefit = []struct {
	r               float64
	released, rerun float64
}{{0, -0.025, -0.12}, {0.5, 0.015, math.NaN()}, {1, 0.175, 0.19}}

// paperComparison puts our benefit at n = 800, s_a = s_b = 10, depth 2 beside the authors' numbers,
// when the grid has those cells.
func mtPaperComparison(sums []MultitaskSummary) (lab.Table, bool) {
	t := lab.Table{Name: "benefit at n=800, s_a=s_b=10 vs the authors'", Columns: []string{"r", "ours (mean ± SEM)", "seeds", "released", "re-run"},
		Note: "nats; the authors' numbers: rank 10, 5 seeds; the re-run is a PyTorch re-implementation of their train.py"}
	for _, a := range mtAuthorsBenefit {
		for _, s := range sums {
			if s.NTrain == 800 && s.NAux == 800 && s.SA == 10 && s.SB == 10 && s.Depth == 2 && s.R == a.r {
				rerun := "—"
				if !math.IsNaN(a.rerun) {
					rerun = fmt.Sprintf("%+.3f", a.rerun)
				}
				t.Rows = append(t.Rows, []string{"r=" + mtShort(a.r), fmt.Sprintf("%+.3f ± %.3f", s.Benefit, s.BenefitSEM),
					fmt.Sprint(s.Seeds), fmt.Sprintf("%+.3f", a.released), rerun})
			}
		}
	}
	return t, len(t.Rows) > 0
}
