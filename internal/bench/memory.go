package bench

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

// rssSampler follows the process's resident memory while a workload runs.
type rssSampler struct {
	reset bool
	done  chan struct{}
	out   chan int64 // peak VmRSS in kB
}

// sampleRSS returns the heap to the system and resets VmHWM, so that
// what earlier workloads held does not count, then samples VmRSS every
// 100 ms until stop.
func sampleRSS() *rssSampler {
	runtime.GC()
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets the peak resident set size (Linux 4.0
	// and later); where that is refused VmHWM covers the whole process.
	s := &rssSampler{reset: os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil,
		done: make(chan struct{}), out: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, ok := procField("/proc/self/status", "VmRSS"); ok {
				peak = max(peak, kb)
			}
			select {
			case <-s.done:
				s.out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and reports what it saw.
func (s *rssSampler) stop() Memory {
	close(s.done)
	peak := <-s.out
	hwm, _ := procField("/proc/self/status", "VmHWM")
	return Memory{PeakRSSMiB: float64(peak) / 1024, HWMMiB: float64(hwm) / 1024, HWMReset: s.reset}
}
