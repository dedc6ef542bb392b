package sshserve_test

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestMeasureLoad reports the bytes per second sent to each client and this process's CPU (the
// server, its lab and a Counter run logging 500 steps a second) with 0, 1 and 4 OpenSSH clients
// watching at the default frame rate in 120×40 terminals. It is a measurement, not a check, and
// runs only when asked:
//
//	LOGITLAB_SSH_MEASURE=1 go test ./internal/sshserve -run TestMeasureLoad -v
func TestMeasureLoad(t *testing.T) {
	if os.Getenv("LOGITLAB_SSH_MEASURE") == "" {
		t.Skip("a measurement; set LOGITLAB_SSH_MEASURE=1 to run it")
	}
	const window = 10 * time.Second
	f := newFixture(t)
	var clients []*term
	for _, n := range []int{0, 1, 4} {
		for len(clients) < n {
			c, _, _ := f.openSSH("viewer", 120, 40)
			c.waitScreen("ssh viewer@test (viewer)")
			clients = append(clients, c)
		}
		time.Sleep(time.Second) // let the newcomers' first full frames pass
		before := make([]int, len(clients))
		for i, c := range clients {
			before[i] = len(c.bytesSoFar())
		}
		cpu0, t0 := cpuTime(t), time.Now()
		time.Sleep(window)
		cpu1, t1 := cpuTime(t), time.Now()
		wall := t1.Sub(t0).Seconds()
		var total int
		for i, c := range clients {
			total += len(c.bytesSoFar()) - before[i]
		}
		perClient := 0.0
		if n > 0 {
			perClient = float64(total) / float64(n) / wall
		}
		t.Logf("%d sessions: server CPU %.1f%% of one core; %.0f bytes/s to each client (terminal bytes, after decryption)",
			n, 100*(cpu1-cpu0).Seconds()/wall, perClient)
	}
}

// cpuTime is the user+system CPU time this process has used.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
