// Package tui is the lab's terminal user interface: a Bubble Tea v2 program that lists runs and,
// for the selected run, draws a live loss chart and a test-accuracy chart, one pane per generic
// item the run emitted (histogram, point chart, table, image gallery), a status line and the keys
// that steer the run (pause, stop, checkpoint, learning rate ×2 / ÷2, any live setting, new run).
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
// with w = Params.Smoothing. The raw loss series also keeps, for each stored point, the smallest
// and largest raw value it averages (merged by min and max when points are merged), and each run
// keeps its lowest loss and best test accuracy with their steps on every raw value, so that
// neither the envelope nor the table of compare mode loses an extreme to the averaging.
//
// # Panes
//
// Experiments write no UI code; they emit generic events (lab.Histogram, lab.Table, lab.Point,
// lab.Images) and extra named values (StepMetrics.Series, EpochSummary.Extra). Each Histogram name,
// Point chart, Table name and Images name gets a pane after the loss and accuracy panes, each kind
// in the order the run first emitted it; a later item of the same name replaces the earlier one
// (histograms are kept, up to 256 per name, and `[` / `]` step through them). Extra losses are
// overlaid on the loss chart, extra evaluation values whose names contain "acc" on the accuracy
// chart, each with a legend. A name keeps the colour of its first sight in the run everywhere.
//
// The panes share the area right of the run list as a grid of slots at least 44×10 cells (at most
// 3 columns, always 2 rows). A page of up to cols·rows panes is shown, the one holding the focused
// pane; tab / shift+tab move the focus and `z` zooms the focused pane to the whole area above the
// status lines. Within a page the panes are split into near-equal rows (larger rows last, or the
// first pane on a row of its own), choosing the split whose smallest pane is largest against an
// ideal 60×15-cell pane; rows share the height 3:2 between loss or gallery rows and others.
//
// A histogram maps its bins onto the columns of a panel: with B bins of edges e_b over n columns of
// width d = (e_B − e_0)/n, a column shows
//
//	B ≤ n:  h_c = count_b · d / (e_{b+1} − e_b)   for the bin b under the column's centre,
//	B > n:  h_c = Σ_b count_b · |[e_b, e_{b+1}) ∩ column c| / (e_{b+1} − e_b),
//
// and all series of one histogram share the count scale. Images are drawn two pixel rows per cell
// ("▀", upper pixel as foreground, lower as background) in grey, luma = 0.299R + 0.587G + 0.114B,
// shrunk by box averaging or enlarged bilinearly, or as a density ramp when the terminal reports
// an Ascii or NoTTY colour profile. A point chart's x axis is log10 when every x is positive and
// max/min > 100.
//
// Generic panes are rendered from a per-run cache keyed by the item's version, the pane size and
// the colour mode, so a frame that only adds loss points redraws only the loss and accuracy charts.
//
// # Non-finite values
//
// ntcharts spins (hangs the UI) on NaN and huge values, so nothing non-finite reaches it: NaN and
// ±Inf are dropped (and counted, with the first step where one appeared shown in the chart title),
// and |v| > 1e30 is clamped to ±1e30, both when events are applied and again inside the chart
// wrapper. Axis bounds are computed from the values that survive, error bars included (a
// non-finite half-width draws no bar). Histograms and galleries are drawn without ntcharts: bins
// with non-finite or non-increasing edges are drawn by index, a non-finite mean is not marked,
// negative counts count as 0, and non-finite pixels as black.
//
// # Launcher
//
// Key n (and, when the lab has no runs yet, the first screen) opens the launcher: the experiments
// of Params.Experiments with their one-line summaries, and for the chosen one a form of every
// setting of its config sections, generated from config.Params(): key, value, default, allowed
// values, and the one-line help of the focused row. A typed value goes through Config.Set, the
// parser config.toml and flags use, and a value it refuses stays in the field with its reason;
// enums cycle with ←/→, bools toggle. Keys 1 and 2 apply config.Presets(experiment) (quick demo,
// paper-like). Enter on "start" calls Params.Start with the experiment and the form's config.
//
// # Steering
//
// Key e opens a panel over the run view with the live settings (Param.Live) of the selected run's
// experiment. A typed value is checked by the run's own config (its config.toml) and sent as
// lab.Set(key, value, user); the panel shows it as pending until the run answers. Commands are
// answered in order, one answer each — a SettingApplied, or a warning "<user> refused: <why>" —
// so a session matches its answers to its pending values first in, first out, and shows the value
// the run applied, or why it refused. Every run keeps a log of who changed what when (settings
// applied or refused, pauses, resumes, the end), shown in the panel with wall time and step.
//
// # Compare mode
//
// Key v (or C) shows compare mode: the run list, then panes that overlay several runs on the same
// axes — loss, test accuracy, a table of best and latest values, and one pane per (point chart,
// series) that any compared run has. The runs compared are the ones marked with space (or m) in
// the list, in list order; with none marked, every run of the selected run's experiment; and the
// run pinned with P, drawn last and bold and kept even when the filter hides it. At most 8 are
// shown (a coloured palette's size); the status line says how many more qualified. A run's colour
// is the FNV-1a hash of its id modulo the palette size, moved on to the next free slot while
// another compared run holds it; once given it is kept for the session, so colours do not change
// when runs come and go.
//
// Each chart covers the step range of all compared runs, [x0, x1], cut into n = 2·width columns
// (one per braille dot column or more). A run's stored points fall into column
//
//	c(x) = min(n−1, ⌊n·(x − x0)/(x1 − x0)⌋),
//
// and each non-empty column is drawn as one point at the mean x and y of its points, with the
// min/max envelope [min lo, max hi] of the raw values behind them drawn faintly under it. With
// smoothing on, the loss line is the EMA above (computed on the full-resolution values) averaged
// the same way; off, it is the raw mean. l toggles log10 y on the focused compare chart only (the
// loss chart starts as the run view's); tab, z and s work as in the run view.
//
// The table lists per run its step, latest loss, EMA, lowest loss @ step, latest test accuracy and
// best test accuracy @ step, dropping the least useful columns (EMA, step, latest loss) first when
// narrow.
//
// Key / opens the filter line, in both views. Its text is terms split by spaces, all of which must
// hold: key=value holds for a run whose config.toml has that setting at that value (key is a full
// name, distill.alpha, or a key that sections share, lr, looked up in the sections of the run's
// experiment first; the value is parsed as flags parse it, and numbers compare within a relative
// 1e-9); any other term holds for a run whose id or experiment contains it, ignoring case. While
// typing, the line says how many runs the text lets through or why it cannot be used; enter applies
// it (empty: clears it), esc closes the line unchanged. The list shows only the runs it lets
// through, its title names it, and when it lets none through the list, the panes and the notice
// say so. In compare mode esc leaves the mode; in the run view esc clears the filter. The compare
// keys are not in tui.keys yet: a remap that uses one of them takes it from compare mode.
//
// # Themes and keys
//
// Params.Theme picks dark, light or ascii; NO_COLOR (Params.NoColor) forces ascii. The ascii theme
// uses only plain styles, so a frame holds no escape sequence, and a last pass (asciify) maps every
// other character to ASCII of the same width: box drawing to - | +, braille cells to ' . : by
// which half holds dots, block elements to . : # ", markers to > * = v x. Params.Keys (the tui.keys
// setting) remaps the run view's actions, "pause=p space,stop=x"; CheckKeys explains a bad value,
// and the help line and `?` overlay are generated from the remapped key map.
//
// # Snapshots
//
// Snapshot draws one frame of a run at a fixed size as plain text (logitlab --once): the same
// render the golden tests check, with escape sequences stripped and trailing blanks cut.
package tui
