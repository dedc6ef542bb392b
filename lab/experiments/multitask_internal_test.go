package experiments

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func smallGrid() MultitaskGrid {
	return MultitaskGrid{NTrain: []int{32, 64}, SA: []float64{10}, SB: []float64{0.5, 10}, R: []float64{0, 1}, Depth: []int{1},
		Seeds: 2, Seed: 1, Fixed: MultitaskFixed{D: 8, Rank: 4, Classes: 4, NoiseScale: 1, Validation: "noisy", NTest: 40,
			Trunk: "relu", Width: 8, LR: 0.05, Batch: 16, Epochs: 3}}
}

// TestJobs checks the job list: every cell and seed once, each single-task baseline once and before
// the first multitask job that needs it, and cells with n_aux < n_train left out.
func TestJobs(t *testing.T) {
	t.Parallel()
	g := smallGrid()
	jobs := g.Jobs()
	multi, single := 0, 0
	seen := map[string]int{}
	for i, j := range jobs {
		seen[j.Name()]++
		if j.Multi {
			multi++
			if k, ok := index(jobs, j.baseline()); !ok || k > i {
				t.Errorf("%s: its baseline comes after it or is missing", j.Name())
			}
		} else {
			single++
		}
	}
	if want := 2 * 2 * 2 * 2; multi != want {
		t.Errorf("%d multitask jobs, want n × s_b × r × seeds = %d", multi, want)
	}
	if want := 2 * 2; single != want {
		t.Errorf("%d single-task jobs, want n × seeds = %d", single, want)
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", name, n)
		}
	}
	g.NAux = []int{48}
	for _, j := range g.Jobs() {
		if j.Multi && j.NAux < j.NTrain {
			t.Errorf("%s has n_aux < n_train", j.Name())
		}
	}
}

func index(js []MultitaskJob, j MultitaskJob) (int, bool) {
	for i, k := range js {
		if k == j {
			return i, true
		}
	}
	return 0, false
}

// TestShards checks that the shards of a grid partition its jobs and that their costs are balanced.
func TestShards(t *testing.T) {
	t.Parallel()
	g := smallGrid()
	all := g.Jobs()
	for _, n := range []int{1, 3, 7, 40} {
		count := map[MultitaskJob]int{}
		var costs []float64
		for i := 1; i <= n; i++ {
			var c float64
			for _, j := range (MultitaskShard{i, n}).Select(all, g.Fixed) {
				count[j]++
				c += j.cost(g.Fixed)
			}
			costs = append(costs, c)
		}
		for _, j := range all {
			if count[j] != 1 {
				t.Fatalf("%d shards: %s runs %d times", n, j.Name(), count[j])
			}
		}
		if n == 3 {
			lo, hi := math.Inf(1), 0.0
			for _, c := range costs {
				lo, hi = math.Min(lo, c), math.Max(hi, c)
			}
			if hi > 1.5*lo {
				t.Errorf("3 shards: costs %v are unbalanced", costs)
			}
		}
	}
	for _, bad := range []string{"0/3", "4/3", "a/b", "3", "1/0"} {
		if _, err := ParseMultitaskShard(bad); err == nil {
			t.Errorf("ParseMultitaskShard(%q): no error", bad)
		}
	}
	if s, err := ParseMultitaskShard(" 2/8 "); err != nil || s != (MultitaskShard{2, 8}) {
		t.Errorf("ParseMultitaskShard(2/8) = %v, %v", s, err)
	}
}

func TestParseLists(t *testing.T) {
	t.Parallel()
	if v, err := mtParseFloats("r", "1, 0,0.5,0.5", 0, 1, false); err != nil || len(v) != 3 || v[0] != 0 || v[2] != 1 {
		t.Errorf("mtParseFloats = %v, %v; want [0 0.5 1]", v, err)
	}
	for _, tc := range []struct{ s, want string }{
		{"0,1.5", "not a number in [0, 1]"}, {"", "is empty"}, {"x", "not a number"},
	} {
		if _, err := mtParseFloats("multitask.r", tc.s, 0, 1, false); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("mtParseFloats(%q): %v, want %q", tc.s, err, tc.want)
		}
	}
	if _, err := mtParseInts("multitask.n_train", "100,-3", 1); err == nil || !strings.Contains(err.Error(), "not an integer ≥ 1") {
		t.Errorf("mtParseInts: %v", err)
	}
}

// TestCellFiles checks a cell's round trip, the refusal of a folder made with other settings, and
// that torn or foreign files are reported, not trusted.
func TestCellFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g := smallGrid()
	j := g.Jobs()[1]
	c := MultitaskCell{Job: j, Fingerprint: g.Fixed.Fingerprint(), Fixed: g.Fixed, BestLoss: 1.25, BestAcc: 0.5, BestEpoch: 3, Epochs: 3}
	if err := mtWriteCell(dir, c); err != nil {
		t.Fatal(err)
	}
	got, ok, err := mtReadCell(dir, j, g.Fixed.Fingerprint())
	if err != nil || !ok || got != c {
		t.Fatalf("read back %+v, %v, %v; want %+v", got, ok, err, c)
	}
	other := g.Fixed
	other.LR = 0.5
	if _, _, err := mtReadCell(dir, j, other.Fingerprint()); !errors.Is(err, ErrMultitaskForeignCells) {
		t.Errorf("a different fingerprint: %v, want ErrMultitaskForeignCells", err)
	}
	if _, ok, err := mtReadCell(dir, g.Jobs()[0], g.Fixed.Fingerprint()); ok || err != nil {
		t.Errorf("a missing cell: ok %v, err %v", ok, err)
	}
	if err := os.WriteFile(mtCellPath(dir, g.Jobs()[0]), []byte(`{"job":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mtReadCell(dir, g.Jobs()[0], g.Fixed.Fingerprint()); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("a torn cell file: %v", err)
	}
}

func FuzzDecodeCell(f *testing.F) {
	g := smallGrid()
	c := MultitaskCell{Job: g.Jobs()[1], Fingerprint: g.Fixed.Fingerprint(), Fixed: g.Fixed, BestLoss: 1}
	var buf bytes.Buffer
	dir := f.TempDir()
	if err := mtWriteCell(dir, c); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(mtCellPath(dir, c.Job))
	buf.Write(b)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"job":{"multi":true,"n_train":5,"n_aux":1,"depth":1},"fingerprint":"x"}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := mtDecodeCell(b)
		if err == nil && (c.Job.NTrain < 1 || c.Fixed.Fingerprint() != c.Fingerprint) {
			t.Fatalf("accepted an invalid cell %+v", c)
		}
	})
}

// TestTableAndSummary checks the join of multitask results with their baselines and the mean ± SEM
// (SEM of {1, 2, 3} is 1/√3, from s = 1).
func TestTableAndSummary(t *testing.T) {
	t.Parallel()
	g := smallGrid()
	fp := g.Fixed.Fingerprint()
	var cells []MultitaskCell
	for s := int64(1); s <= 3; s++ {
		base := MultitaskJob{NTrain: 32, SA: 10, Depth: 1, Seed: s}
		multi := MultitaskJob{Multi: true, NTrain: 32, NAux: 32, SA: 10, SB: 10, R: 1, Depth: 1, Seed: s}
		cells = append(cells, MultitaskCell{Job: base, Fingerprint: fp, Fixed: g.Fixed, BestLoss: 2},
			MultitaskCell{Job: multi, Fingerprint: fp, Fixed: g.Fixed, BestLoss: 2 - float64(s)})
	}
	orphan := MultitaskJob{Multi: true, NTrain: 64, NAux: 64, SA: 10, SB: 10, R: 1, Depth: 1, Seed: 1}
	cells = append(cells, MultitaskCell{Job: orphan, Fingerprint: fp, Fixed: g.Fixed, BestLoss: 1})
	rows, missing := MultitaskTable(cells)
	if len(rows) != 3 || missing != 1 {
		t.Fatalf("%d rows, %d missing; want 3 and 1", len(rows), missing)
	}
	sums := SummarizeMultitask(rows)
	if len(sums) != 1 || sums[0].Seeds != 3 || sums[0].Benefit != 2 || math.Abs(sums[0].BenefitSEM-1/math.Sqrt(3)) > 1e-12 {
		t.Fatalf("summary %+v; want benefit 2 ± 1/√3 over 3 seeds", sums)
	}
	var buf bytes.Buffer
	if err := WriteMultitaskCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 4 {
		t.Errorf("CSV has %d lines, want a header and 3 rows:\n%s", lines, buf.String())
	}
}

// TestBenefitFigure checks that the exported figure is a PNG of the expected size with something
// drawn in each series' colour.
func TestBenefitFigure(t *testing.T) {
	t.Parallel()
	sums := []MultitaskSummary{
		{mtCellKey: mtCellKey{NTrain: 800, NAux: 800, SA: 10, SB: 0.01, R: 0}, Seeds: 5, Benefit: -0.02, BenefitSEM: 0.01},
		{mtCellKey: mtCellKey{NTrain: 800, NAux: 800, SA: 10, SB: 10, R: 0}, Seeds: 5, Benefit: -0.1, BenefitSEM: 0.02},
		{mtCellKey: mtCellKey{NTrain: 800, NAux: 800, SA: 10, SB: 0.01, R: 1}, Seeds: 5, Benefit: 0.01, BenefitSEM: 0.01},
		{mtCellKey: mtCellKey{NTrain: 800, NAux: 800, SA: 10, SB: 10, R: 1}, Seeds: 5, Benefit: 0.2, BenefitSEM: math.NaN()},
		{mtCellKey: mtCellKey{NTrain: 800, NAux: 800, SA: 0.1, SB: 10, R: 1}, Seeds: 1, Benefit: math.Inf(1)},
	}
	f := mtBenefitFigure(sums)
	if len(f.Panels) != 2 || !f.Panels[1].LogX {
		t.Fatalf("%d panels (want one per s_a: 2), log x %v", len(f.Panels), f.Panels[1].LogX)
	}
	b, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 2*mtPanelW || h != mtPanelH {
		t.Errorf("figure is %d×%d, want %d×%d", w, h, 2*mtPanelW, mtPanelH)
	}
	for _, c := range mtPalette[:2] {
		found := false
		for y := 0; y < mtPanelH && !found; y++ {
			for x := 0; x < 2*mtPanelW && !found; x++ {
				r, g, bb, _ := img.At(x, y).RGBA()
				found = uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bb>>8) == c.B
			}
		}
		if !found {
			t.Errorf("no pixel of series colour %v", c)
		}
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "f.png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBenefitPattern is the paper's claim on a small budget (n = 100, 100 epochs at lr 0.1 instead of
// 2000 at 1e-3; d = 20, rank 10, 10 classes, s_a = s_b = 10): a related clean auxiliary task helps
// (benefit > 0), an unrelated one hurts (< 0), and r = 1 beats r = 0 for every seed.
func TestBenefitPattern(t *testing.T) {
	if mtRace {
		t.Skip("slow under the race detector; no goroutines of its own")
	}
	t.Parallel()
	g := MultitaskGrid{NTrain: []int{100}, SA: []float64{10}, SB: []float64{10}, R: []float64{0, 1}, Depth: []int{2}, Seeds: 4, Seed: 1,
		Fixed: MultitaskFixed{D: 20, Rank: 10, Classes: 10, NoiseScale: 1, Validation: "noisy", NTest: 500, Trunk: "relu",
			Width: 64, LR: 0.1, Batch: 128, Epochs: 100}}
	var cells []MultitaskCell
	for _, j := range g.Jobs() {
		c, err := g.RunJob(context.Background(), j)
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, c)
	}
	rows, _ := MultitaskTable(cells)
	sums := SummarizeMultitask(rows)
	if len(sums) != 2 || sums[0].R != 0 || sums[1].R != 1 {
		t.Fatalf("summary %+v", sums)
	}
	t.Logf("benefit r=0 %.4f ± %.4f, r=1 %.4f ± %.4f", sums[0].Benefit, sums[0].BenefitSEM, sums[1].Benefit, sums[1].BenefitSEM)
	if !(sums[0].Benefit < 0) || !(sums[1].Benefit > 0) {
		t.Errorf("benefit r=0 %.4f (want < 0), r=1 %.4f (want > 0)", sums[0].Benefit, sums[1].Benefit)
	}
	for s := 0; s < 4; s++ {
		if rows[s].Benefit >= rows[4+s].Benefit {
			t.Errorf("seed %d: benefit r=0 %.4f ≥ r=1 %.4f", rows[s].Seed, rows[s].Benefit, rows[4+s].Benefit)
		}
	}
}
