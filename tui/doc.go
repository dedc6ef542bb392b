// Package tui is the lab's terminal user interface: a Bubble Tea v2 program that lists runs and,
// for the selected run, draws a live loss chart and a test-accuracy chart, a status line and the keys
// that steer the run (pause, stop, learning rate ×2 / ÷2, new run).
//
// One Model serves one terminal: the local one (Run) or, later, one per SSH session over the same
// lab.Lab. Nothing is global; every model owns its subscription, its series and its styles.
//
// # Data flow and frame pacing
//
// The model subscribes to the lab (a capacity-1 doorbell). One command at a time waits on the
// doorbell and on the session context; after it fires, it also waits until the next frame slot
// (1/FPS after the previous pull) before it reports, so however fast a run logs, the model pulls at
// most FPS times a second. On each pull it reads the run list (Infos) and only the new events of the
// selected run (Run.Since), applies them to that run's series, and marks the view dirty if anything
// changed. View returns a cached frame and rebuilds it only when dirty, so nothing is redrawn when
// nothing changed.
//
// # Series
//
// Loss is kept per optimizer step, test accuracy per evaluation. Each series keeps at most
// maxPoints stored points: when full, neighbouring pairs are averaged,
//
//	x'_i = (x_{2i} + x_{2i+1}) / 2,   y'_i = (y_{2i} + y_{2i+1}) / 2,
//
// and from then on each stored point averages twice as many raw points. The smoothed loss is the
// debiased exponential moving average used by TensorBoard, computed on the full-resolution values
// before any averaging:
//
//	a_n = w·a_{n−1} + (1−w)·v_n,   a_0 = 0,   ŝ_n = a_n / (1 − wⁿ)
//
// with w = Params.Smoothing.
//
// # Non-finite values
//
// ntcharts spins (hangs the UI) on NaN and huge values, so nothing non-finite reaches it: NaN and
// ±Inf are dropped (and counted, with the first step where one appeared shown in the chart title),
// and |v| > 1e30 is clamped to ±1e30, both when events are applied and again inside the chart
// wrapper. Axis bounds are computed from the values that survive.
package tui
