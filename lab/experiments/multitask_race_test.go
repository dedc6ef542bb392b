//go:build race

package experiments

// mtRace reports a race-detector build, under which the slow training tests are skipped (they run
// no goroutines of their own).
const mtRace = true
