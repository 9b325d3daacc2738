//go:build race

package persona

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// allocation counts through a pool are not asserted under it.
const raceEnabled = true
