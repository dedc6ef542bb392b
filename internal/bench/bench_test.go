package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/models"
)

// fakeRunner replays fixed samples: ours[w][round] and torch[w][round][threads], and logs calls.
type fakeRunner struct {
	oursS  map[string][]Sample
	torchS map[string][]map[int]Sample
	fail   map[string]error // our side of this workload fails
	calls  []string
	round  map[string]int
}

func (f *fakeRunner) ours(_ context.Context, w Workload, _ plan) (Sample, error) {
	f.calls = append(f.calls, "ours:"+w.Name)
	if err := f.fail[w.Name]; err != nil {
		return Sample{}, err
	}
	r := f.round[w.Name]
	f.round[w.Name]++
	return f.oursS[w.Name][r], nil
}

func (f *fakeRunner) torch(_ context.Context, w Workload, _ plan, threads int) (Sample, error) {
	f.calls = append(f.calls, fmt.Sprintf("torch%d:%s", threads, w.Name))
	s, ok := f.torchS[w.Name][f.round[w.Name]-1][threads]
	if !ok {
		return Sample{}, errors.New("peer crashed")
	}
	return s, nil
}

func noop() (func() error, func(), error) { return func() error { return nil }, nil, nil }

var testPeak = Peak{CPUs: 2, MHz: 2500, FLOPsPerCycle: 32, SIMD: "AVX2"} // 2 × 2.5 × 32 = 160 GFLOP/s

func newFake() *fakeRunner {
	ts := func(sps, rss float64, th int) Sample {
		return Sample{SamplesPerSec: sps, PeakRSSMB: rss, Threads: th, OpenBLASCore: "SkylakeX"}
	}
	return &fakeRunner{
		oursS: map[string][]Sample{
			"a": {{SamplesPerSec: 1000, PeakRSSMB: 50}, {SamplesPerSec: 1200, PeakRSSMB: 70}, {SamplesPerSec: 900, PeakRSSMB: 60}},
			"b": {{SamplesPerSec: 10, PeakRSSMB: 5}, {SamplesPerSec: 30, PeakRSSMB: 5}, {SamplesPerSec: 20, PeakRSSMB: 5}},
		},
		torchS: map[string][]map[int]Sample{
			"a": {
				{1: ts(500, 300, 1), 2: ts(800, 310, 2)},
				{1: ts(1000, 305, 1), 2: ts(600, 320, 2)},
				{1: ts(400, 290, 1), 2: ts(450, 300, 2)},
			},
			"b": {{}, {}, {}}, // every PyTorch run of b fails
		},
		round: map[string]int{},
	}
}

var testWorkloads = Registry{
	{Name: "a", About: "workload a", SamplesPerStep: 100, FLOPsPerStep: 1e9, Setup: noop, TorchName: "a"},
	{Name: "b", About: "workload b", SamplesPerStep: 10, FLOPsPerStep: 0, Setup: noop, TorchName: "b"},
}

func TestRunSummary(t *testing.T) {
	f := newFake()
	info := TorchInfo{Available: true, Python: "/usr/bin/python3", Version: "1.13", Env: []string{"OPENBLAS_NUM_THREADS=1"}}
	opt := Options{AgainstTorch: true}.withDefaults()
	var out bytes.Buffer
	res, err := run(context.Background(), opt, testWorkloads, &out, f, info, testPeak)
	if err != nil {
		t.Fatal(err)
	}
	// Interleaving: per round, per workload, ours then PyTorch at 1 and 2 threads.
	round := []string{"ours:a", "torch1:a", "torch2:a", "ours:b", "torch1:b", "torch2:b"}
	if want := slices.Concat(round, round, round); !slices.Equal(f.calls, want) {
		t.Errorf("calls = %v, want %v", f.calls, want)
	}
	a := res[0]
	// Hand-computed: ours median(1000,1200,900) = 1000; PyTorch best per round 800, 1000, 450 →
	// median 800; ratios 1.25, 1.2, 2 → median 1.25; 1e9 FLOPs / 100 samples = 1e7 per sample →
	// 10 and 8 GFLOP/s, shares 10/160 and 8/160; RSS maxima 70 and 320.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"ours samples/s", a.OursSamplesPerSec, 1000},
		{"torch samples/s", a.TorchSamplesPerSec, 800},
		{"ratio", a.Ratio, 1.25},
		{"ours GFLOP/s", a.OursGFLOPS, 10},
		{"torch GFLOP/s", a.TorchGFLOPS, 8},
		{"ours share", a.OursPeakShare, 0.0625},
		{"torch share", a.TorchPeakShare, 0.05},
		{"ours RSS", a.OursPeakRSSMB, 70},
		{"torch RSS", a.TorchPeakRSSMB, 320},
	} {
		if math.Abs(c.got-c.want) > 1e-9*math.Max(1, math.Abs(c.want)) {
			t.Errorf("a: %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !a.TorchRan || len(a.Rounds) != 3 {
		t.Errorf("a: TorchRan %v, %d rounds", a.TorchRan, len(a.Rounds))
	}
	b := res[1]
	if b.TorchRan || b.OursSamplesPerSec != 20 || b.Ratio != 0 || b.Rounds[0].TorchErr == "" {
		t.Errorf("b (PyTorch failing) = %+v", b)
	}
	s := out.String()
	for _, want := range []string{
		"2 CPUs × 2.500 GHz × 32 FLOP/cycle (AVX2) = 160.0 GFLOP/s",
		"OpenBLAS core SkylakeX",
		"1.25×",
		"round 1 PyTorch error: " + "peer crashed",
		"1000.0/800.0(2t) 1200.0/1000.0(1t) 900.0/450.0(2t)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
}

func TestRunJSONShape(t *testing.T) {
	for _, tc := range []struct {
		name    string
		info    TorchInfo
		against bool
		torch   bool // torch_* numbers present
	}{
		{"with torch", TorchInfo{Available: true}, true, true},
		{"torch missing", TorchInfo{Note: "PyTorch not importable: run scripts/install-torch"}, true, false},
		{"ours only", TorchInfo{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{AgainstTorch: tc.against, JSON: true, Workloads: []string{"a"}}.withDefaults()
			sel, _ := testWorkloads.Select(opt.Workloads)
			var out bytes.Buffer
			if _, err := run(context.Background(), opt, sel, &out, newFake(), tc.info, testPeak); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out.String())
			}
			for _, k := range []string{"rounds", "peak_gflops", "peak_formula", "peak", "ratio_definition", "workloads"} {
				if _, ok := doc[k]; !ok {
					t.Errorf("top level lacks %q", k)
				}
			}
			if _, ok := doc["torch"]; ok != tc.against {
				t.Errorf("top-level torch present = %v, want %v", ok, tc.against)
			}
			ws := doc["workloads"].([]any)
			w := ws[0].(map[string]any)
			for _, k := range []string{"name", "ours_samples_per_sec", "torch_samples_per_sec", "ratio",
				"ours_peak_rss_mb", "torch_peak_rss_mb", "ours_gflops", "ours_peak_share", "flops_per_step", "rounds"} {
				if _, ok := w[k]; !ok {
					t.Errorf("workload lacks %q: %v", k, w)
				}
			}
			if w["name"] != "a" || w["ours_samples_per_sec"] != 1000.0 || w["ours_peak_rss_mb"] != 70.0 {
				t.Errorf("workload = %v", w)
			}
			if tc.torch {
				if w["torch_samples_per_sec"] != 800.0 || w["ratio"] != 1.25 || w["torch_peak_rss_mb"] != 320.0 {
					t.Errorf("torch numbers = %v %v %v", w["torch_samples_per_sec"], w["ratio"], w["torch_peak_rss_mb"])
				}
			} else if w["torch_samples_per_sec"] != nil || w["ratio"] != nil || w["torch_peak_rss_mb"] != nil {
				t.Errorf("torch numbers should be null without PyTorch: %v", w)
			}
		})
	}
}

func TestRunOursFailureKeepsOthers(t *testing.T) {
	f := newFake()
	f.fail = map[string]error{"a": errors.New("worker died")}
	var out bytes.Buffer
	res, err := run(context.Background(), Options{}.withDefaults(), testWorkloads, &out, f, TorchInfo{}, testPeak)
	if err == nil || !strings.Contains(err.Error(), "bench a, round 1: worker died") {
		t.Errorf("error = %v", err)
	}
	if len(res) != 1 || res[0].Name != "b" || !strings.Contains(out.String(), "FAILED: bench a, round 1: worker died") {
		t.Errorf("results = %+v, table:\n%s", res, out.String())
	}
	if n := strings.Count(strings.Join(f.calls, " "), "ours:a"); n != 1 {
		t.Errorf("a was tried %d times after failing, want 1", n)
	}
}

func TestRunNoTorchTable(t *testing.T) {
	var out bytes.Buffer
	info := TorchInfo{Note: "PyTorch not importable (tried /usr/bin/python3 (no torch)): run scripts/install-torch"}
	if _, err := run(context.Background(), Options{AgainstTorch: true}.withDefaults(), testWorkloads[:1], &out, newFake(), info, testPeak); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "PyTorch: not run: "+info.Note) || !strings.Contains(s, "–") {
		t.Errorf("table:\n%s", s)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	got, err := testWorkloads.Select([]string{"b", " a", "b"})
	if err != nil || !slices.Equal(got.Names(), []string{"b", "a"}) {
		t.Errorf("Select(b, a, b) = %v, %v", got.Names(), err)
	}
	if _, err := testWorkloads.Select([]string{"c"}); err == nil || !strings.Contains(err.Error(), "known: a, b") {
		t.Errorf("Select(c) error = %v", err)
	}
	if all, _ := testWorkloads.Select(nil); len(all) != 2 {
		t.Errorf("Select(nil) = %v", all.Names())
	}
}

func TestPeak(t *testing.T) {
	cpuinfo := "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2599.998\n\n" +
		"processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2600.500\n"
	mhz, model := parseCPUInfo(strings.NewReader(cpuinfo))
	if mhz != 2600.5 || model != "Intel(R) Xeon(R) Processor" {
		t.Errorf("parseCPUInfo = %v, %q", mhz, model)
	}
	for _, tc := range []struct {
		f    simdFeatures
		want int
	}{
		{simdFeatures{avx512f: true, avx2: true, fma: true}, 64},
		{simdFeatures{avx2: true, fma: true}, 32},
		{simdFeatures{avx2: true}, 8},
		{simdFeatures{}, 8},
	} {
		if got, _ := flopsPerCycle(tc.f); got != tc.want {
			t.Errorf("flopsPerCycle(%+v) = %d, want %d", tc.f, got, tc.want)
		}
	}
	p := Peak{CPUs: 2, MHz: 2600, FLOPsPerCycle: 64, SIMD: "AVX-512"}
	if p.GFLOPS() != 332.8 || p.Share(33.28) != 0.1 {
		t.Errorf("peak %v GFLOP/s, share %v", p.GFLOPS(), p.Share(33.28))
	}
	if (Peak{}).Share(1) != 0 || !strings.Contains((Peak{}).Formula(), "unknown") {
		t.Error("an unknown peak must give share 0 and say unknown")
	}
}

func TestClassifierFLOPs(t *testing.T) {
	mlp, cnn := mnistSpec(models.ArchMLP), mnistSpec(models.ArchCNN)
	// MLP train, B=128: 2B·(784·256·2 + 256·256·3 + 256·10·3) = 256·605696.
	// CNN train: conv0 28·28·32·9 MACs ×2 products, conv1 14·14·64·288 ×3, fc 3136·128 ×3, out 128·10 ×3.
	// CNN input gradient: the same four layers, ×2 products each.
	conv0, conv1, fc, out := 28.0*28*32*9, 14.0*14*64*288, 3136.0*128, 128.0*10
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"mlp train", ClassifierFLOPs(mlp, 128, true), 256 * 605696},
		{"cnn train", ClassifierFLOPs(cnn, 128, true), 256 * (2*conv0 + 3*(conv1+fc+out))},
		{"cnn input grad", ClassifierFLOPs(cnn, 128, false), 256 * 2 * (conv0 + conv1 + fc + out)},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v FLOPs, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestWorkloadsValid(t *testing.T) {
	for _, w := range Workloads() {
		if err := w.validate(); err != nil {
			t.Error(err)
		}
		if w.TorchName == "" {
			t.Errorf("%s has no PyTorch peer", w.Name)
		}
	}
}

func TestWorkloadsStep(t *testing.T) {
	for _, w := range Workloads() {
		if w.Name == "wavenet" {
			continue // seconds per step without OpenBLAS; models' WaveNet tests cover the same graph
		}
		step, done, err := w.Setup()
		if err != nil {
			t.Fatalf("%s: Setup: %v", w.Name, err)
		}
		for i := 0; i < 2; i++ {
			if err := step(); err != nil {
				t.Errorf("%s: step %d: %v", w.Name, i+1, err)
			}
		}
		done()
	}
}

func TestWaveNetFLOPs(t *testing.T) {
	// Per time step and sample: input 1×1 (fwd+dW) 2·32·2; 14 layers × (filter+gate 2·(2·64·32)·3
	// + skip 2·32·32·3); 13 residuals 2·32·32·3; post 2·32·32·3; plus the head 2·64·10·3 per sample.
	perStep := 2.0*32*2 + 14*(2*2*64*32*3+2*32*32*3) + 13*2*32*32*3 + 2*32*32*3
	want := 16*8000*perStep + 16*2*64*10*3
	if got := WaveNetFLOPs(wavenetSpec(), 16, 8000); got != want {
		t.Errorf("WaveNetFLOPs = %v, want %v", got, want)
	}
}
