// Package chartexport turns a run's events into files: every chart the TUI shows, as a PNG
// drawn with the standard library only (image, image/png and a built-in 5×7 bitmap font) and as
// a CSV of the data behind it. `logitlab export` and the TUI's `E` key use it.
//
// FromEvents builds a run's Charts from its []lab.Event (what lab.Run.Since returns, live or
// loaded from runs/<id>/events.jsonl). Charts are named by the TUI's pane keys, listed in the
// TUI's pane order:
//
//	loss          StepMetrics.Loss and the extra named losses of StepMetrics.Series
//	acc           EpochSummary.TestAcc and the values of EpochSummary.Extra
//	hist:NAME     every Histogram of that name (one step is exported; the latest by default)
//	points:NAME   the Point events of that chart
//	table:NAME    the latest Table of that name
//	images:NAME   the latest Images gallery of that name
//	bars:NAME     the latest Bars snapshot of that chart
//
// # CSV
//
// Every CSV has one header row and a fixed column order. Numbers are written so that they read
// back exactly (strconv 'g', -1); non-finite values as NaN, +Inf and -Inf. An empty cell means
// "not logged", never zero.
//
//	loss     step, loss, <series…>          one row per step; series in order of first sight
//	acc      step, test_acc, <extra…>       one row per evaluation; every Extra value, drawn or not
//	hist     step, bin_lo, bin_hi, <label…> one row per bin: the counts of each series
//	points   series, x, y, err              series in order of first sight, points by x
//	                                        (a non-finite x last: kept here, not drawn)
//	bars     group, series, value, err      groups in order, each with its series in order
//	table    <columns…>                     the table itself, every row as wide as the widest
//	images   item, caption, c, h, w, p0…    one row per image, pixels in C×H×W row-major order
//
// A repeated header name gets a suffix (_2, _3 …) so that every column is distinct.
//
// # PNG
//
// Charts on axes (loss, acc, hist, points, bars) are Options.Width × Options.Height pixels
// (960×600 by default) on white: a title, the y-axis name under it, a grid at "nice" ticks
// (1, 2, 5 × 10^k; powers of ten on a log axis), the x-axis name, and a legend of coloured
// swatches under the plot. The run's own loss and test accuracy are near-black; every named series
// takes the colour the TUI gives it: index i of the light theme's palette, where a run's names get
// indexes 0, 1, 2 … in the order the run first mentions them (StepMetrics.Series and
// EpochSummary.Extra names in sorted order within an event, histogram and bar labels, point series
// on their first finite point), so "robust" has the same colour in every chart of a run.
//
//   - loss: a line per series over steps; Options.LogY for a log y axis (values ≤ 0 are gaps);
//     Options.Smooth draws the TUI's debiased EMA, a_n = w·a_{n−1} + (1−w)·y_n shown as
//     a_n/(1−wⁿ), over the raw values drawn faint.
//   - acc: test accuracy and the Extra values whose names contain "acc", with markers.
//   - points: a line with markers per series, error bars y ± err; the x axis is logarithmic when
//     every x is positive and they span more than two decades (the TUI's rule).
//   - hist: each series as a translucent filled step outline over the shared bins on one count
//     axis from 0, its mean as a dashed line. Unusable edges (not finite, not increasing, or not
//     one more than the counts) are replaced by bin indexes, as in the TUI.
//   - bars: grouped horizontal bars, groups top to bottom, error whiskers, each value written at
//     its bar; NaN is "not measured yet", ±Inf is written and not drawn; an accuracy axis reaches 1.
//   - table: the table as text, header on a grey band, numbers right-aligned, its note under it.
//   - images: the gallery as a grid, each image scaled up by an integer factor to at least 96
//     pixels, its caption under it; pixels clamped to [0, 1], non-finite ones magenta.
//
// NaN and ±Inf never set an axis bound: they are gaps in lines and absent from ranges. Finite
// values beyond ±1e30 are clamped. Output is deterministic: the same events and options give the
// same bytes.
//
// # Files
//
// Export writes <dir>/<file>.png and .csv atomically (internal/fsutil), where <file> is the key
// made safe as a file name (FileName: "points:robust accuracy vs eps" →
// "points-robust_accuracy_vs_eps"), suffixed -2, -3 … when two keys of a run would share one.
package chartexport
