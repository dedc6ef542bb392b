package blas

import "sync"

// serialGate sets OpenBLAS's thread count to 1 while any caller is inside Serial and restores
// it when the last one leaves. OpenBLAS keeps that count in one process-wide variable
// (blas_cpu_number, read by every threaded routine when it starts), so callers are counted:
// nested and concurrent Serial calls from several goroutines share one confined period. A GEMM
// issued meanwhile from outside Serial also runs on its caller's thread, which gives the same
// result, only without OpenBLAS's threads.
type serialGate struct {
	mu         sync.Mutex
	inside     int        // callers inside Serial
	saved      int        // the thread count before the first of them entered
	threads    func() int // openblas_get_num_threads
	setThreads func(int)  // openblas_set_num_threads
}

func (s *serialGate) enter() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inside == 0 {
		s.saved = s.threads()
		if s.saved > 1 {
			s.setThreads(1)
		}
	}
	s.inside++
}

func (s *serialGate) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inside--
	if s.inside == 0 && s.saved > 1 {
		s.setThreads(s.saved)
	}
}
