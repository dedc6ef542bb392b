//go:build !race

package experiments

const mtRace = false
