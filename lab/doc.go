// Package lab runs experiments and tells anyone who listens what they are doing.
//
// A Lab owns runs. Each run is one experiment (train, logits, distill, multitask, audio) in its own
// goroutine, with its own directory:
//
//	runs/<id>/config.toml     the resolved settings the run started with
//	runs/<id>/events.jsonl    append-only event log (flushed every second, fsynced at checkpoints and at the end)
//	runs/<id>/checkpoints/    ckpt-<step>.llck files, written atomically, the newest N kept
//	runs/<id>/results.json    the experiment's final numbers, written atomically
//
// The lab knows nothing of terminals or of Gorgonia. It emits typed events (StepMetrics,
// EpochSummary, SettingApplied, CheckpointSaved, Failed, Stopped, Finished, …) into each run's
// in-memory store and log, and takes Commands (pause, resume, stop, set a live setting, checkpoint now)
// that the run reads between steps. Viewers — the TUI, the headless progress printer, every SSH
// session — subscribe with a capacity-1 "dirty" channel and pull what is new with Run.Since at their own
// pace, so a slow viewer drops frames, never training steps.
//
// A run that diverges (a NaN or ±Inf loss or gradient), panics, is stopped or is cancelled ends with one
// Failed or Stopped event that says why and at which step; its last good checkpoint stays loadable, and
// Lab.Resume continues it from there with no metric step lost or repeated: the log is first cut back to
// the checkpoint's step.
package lab
