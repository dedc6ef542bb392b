package blas

import (
	"sync"
	"testing"
)

// fakeThreads stands in for OpenBLAS's thread count and records every change.
type fakeThreads struct {
	mu   sync.Mutex
	n    int
	sets []int
}

func (f *fakeThreads) get() int { f.mu.Lock(); defer f.mu.Unlock(); return f.n }
func (f *fakeThreads) set(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n = n
	f.sets = append(f.sets, n)
}

func TestSerialGate(t *testing.T) {
	t.Run("confines and restores", func(t *testing.T) {
		f := &fakeThreads{n: 4}
		g := &serialGate{threads: f.get, setThreads: f.set}
		g.enter()
		if f.n != 1 {
			t.Fatalf("inside: %d threads, want 1", f.n)
		}
		g.enter() // nested
		g.leave()
		if f.n != 1 {
			t.Fatalf("after the nested leave: %d threads, want still 1", f.n)
		}
		g.leave()
		if f.n != 4 {
			t.Fatalf("after the last leave: %d threads, want 4 again", f.n)
		}
		if len(f.sets) != 2 {
			t.Fatalf("thread count set %v, want exactly [1 4]", f.sets)
		}
	})
	t.Run("already one thread: untouched", func(t *testing.T) {
		f := &fakeThreads{n: 1}
		g := &serialGate{threads: f.get, setThreads: f.set}
		g.enter()
		g.leave()
		if len(f.sets) != 0 {
			t.Fatalf("thread count set %v with OpenBLAS already on one thread", f.sets)
		}
	})
	t.Run("concurrent callers share one period", func(t *testing.T) {
		f := &fakeThreads{n: 2}
		g := &serialGate{threads: f.get, setThreads: f.set}
		var wg sync.WaitGroup
		inside := make(chan int, 64)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g.enter()
				inside <- f.get()
				g.leave()
			}()
		}
		wg.Wait()
		close(inside)
		for n := range inside {
			if n != 1 {
				t.Fatalf("a caller inside Serial saw %d threads", n)
			}
		}
		if f.n != 2 {
			t.Fatalf("after all callers left: %d threads, want 2", f.n)
		}
	})
}
