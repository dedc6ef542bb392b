//go:build race

package experiments_test

// raceEnabled says whether the tests run under the race detector (slow long tests skip).
const raceEnabled = true
