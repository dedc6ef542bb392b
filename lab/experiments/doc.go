// Package experiments holds the things a user runs with `logitlab run NAME`. Each experiment composes
// the data, models, attacks, logits, theory and audio packages and talks to its viewers only through
// the lab.Env it is given: events out, commands in, checkpoints and results on disk.
package experiments
