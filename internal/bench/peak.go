package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/cpu"
)

// Peak is this machine's theoretical fp32 peak:
//
//	GFLOP/s = CPUs × GHz × FLOPs/cycle/core
//
// with FLOPs/cycle from the widest SIMD the CPU and OS support, assuming two FMA units per core
// (an FMA is 2 FLOPs): AVX-512 2×16×2 = 64, AVX2+FMA 2×8×2 = 32, else SSE 4-wide add + mul = 8.
// CPUs counts logical CPUs this process may use (so hyper-threads are counted as cores), and GHz
// is the largest "cpu MHz" in /proc/cpuinfo (the current clock, not the turbo maximum).
type Peak struct {
	CPUs          int     `json:"cpus"`
	MHz           float64 `json:"mhz"`
	FLOPsPerCycle int     `json:"flops_per_cycle"`
	SIMD          string  `json:"simd"`
	Model         string  `json:"cpu_model,omitempty"`
}

// GFLOPS is the peak in GFLOP/s.
func (p Peak) GFLOPS() float64 { return float64(p.CPUs) * p.MHz / 1000 * float64(p.FLOPsPerCycle) }

// Formula writes the peak with the numbers that made it, e.g.
// "2 CPUs × 2.600 GHz × 64 FLOP/cycle (AVX-512: 2 FMA × 16 fp32 lanes × 2) = 332.8 GFLOP/s".
func (p Peak) Formula() string {
	if p.MHz <= 0 {
		return "unknown (no \"cpu MHz\" in /proc/cpuinfo)"
	}
	return fmt.Sprintf("%d CPUs × %.3f GHz × %d FLOP/cycle (%s) = %.1f GFLOP/s fp32",
		p.CPUs, p.MHz/1000, p.FLOPsPerCycle, p.SIMD, p.GFLOPS())
}

// Share is gflops as a fraction of the peak, or 0 when the peak is unknown.
func (p Peak) Share(gflops float64) float64 {
	if pk := p.GFLOPS(); pk > 0 {
		return gflops / pk
	}
	return 0
}

// simdFeatures are the CPUID bits that set FLOPs per cycle; split out for tests.
type simdFeatures struct{ avx512f, avx2, fma bool }

func flopsPerCycle(f simdFeatures) (int, string) {
	switch {
	case f.avx512f:
		return 64, "AVX-512: 2 FMA × 16 fp32 lanes × 2"
	case f.avx2 && f.fma:
		return 32, "AVX2: 2 FMA × 8 fp32 lanes × 2"
	}
	return 8, "SSE: 4 fp32 lanes × (add + mul)"
}

// parseCPUInfo returns the largest "cpu MHz" and the first "model name" of /proc/cpuinfo.
func parseCPUInfo(r io.Reader) (mhz float64, model string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "cpu MHz":
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > mhz {
				mhz = f
			}
		case "model name":
			if model == "" {
				model = v
			}
		}
	}
	return mhz, model
}

// MachinePeak reads this machine's peak (see Peak). MHz is 0 when /proc/cpuinfo is unreadable.
func MachinePeak() Peak {
	p := Peak{CPUs: runtime.NumCPU()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		p.MHz, p.Model = parseCPUInfo(f)
		f.Close()
	}
	p.FLOPsPerCycle, p.SIMD = flopsPerCycle(simdFeatures{
		avx512f: cpu.X86.HasAVX512F, avx2: cpu.X86.HasAVX2, fma: cpu.X86.HasFMA,
	})
	return p
}
