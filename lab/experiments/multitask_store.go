package experiments

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/internal/fsutil"
)

// MultitaskCell is one finished training as stored in the cells folder: one JSON file per job,
// written atomically when the training ends, so that a killed sweep resumes where it stopped and
// shards running at once on a shared folder never see half a file.
type MultitaskCell struct {
	Job         MultitaskJob   `json:"job"`
	Fingerprint string         `json:"fingerprint"` // of the fixed settings
	Fixed       MultitaskFixed `json:"fixed"`
	BestLoss    float64        `json:"best_loss"` // lowest task-1 validation cross-entropy, nats
	BestAcc     float64        `json:"best_acc"`
	BestEpoch   int            `json:"best_epoch"`
	Epochs      int            `json:"epochs"`
	WallSeconds float64        `json:"wall_s"`
}

// ErrForeignCells reports a cells folder that holds results made with other fixed settings.
var ErrMultitaskForeignCells = errors.New("multitask: cells folder holds results of other settings")

func mtCellPath(dir string, j MultitaskJob) string { return filepath.Join(dir, j.Name()+".json") }

func mtWriteCell(dir string, c MultitaskCell) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(mtCellPath(dir, c.Job), append(b, '\n'), 0o644)
}

// readCell reads a job's result; ok is false when there is none yet.
func mtReadCell(dir string, j MultitaskJob, fingerprint string) (MultitaskCell, bool, error) {
	b, err := os.ReadFile(mtCellPath(dir, j))
	if errors.Is(err, os.ErrNotExist) {
		return MultitaskCell{}, false, nil
	}
	if err != nil {
		return MultitaskCell{}, false, fmt.Errorf("read cell %s: %w", j.Name(), err)
	}
	c, err := mtDecodeCell(b)
	if err != nil {
		return MultitaskCell{}, false, fmt.Errorf("cell file %s: %w (delete it to recompute that training)", mtCellPath(dir, j), err)
	}
	if c.Fingerprint != fingerprint {
		return MultitaskCell{}, false, fmt.Errorf("%w: %s was made with settings %s (fingerprint %s), this sweep's are %s; "+
			"use another multitask.cells_dir", ErrMultitaskForeignCells, mtCellPath(dir, j), mtFixedJSON(c.Fixed), c.Fingerprint, fingerprint)
	}
	return c, true, nil
}

func mtFixedJSON(f MultitaskFixed) string { b, _ := json.Marshal(f); return string(b) }

// decodeCell parses a cell file and checks that it is complete and self-consistent.
func mtDecodeCell(b []byte) (MultitaskCell, error) {
	var c MultitaskCell
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("not a cell result: %w", err)
	}
	if c.Fingerprint == "" || c.Fixed.Fingerprint() != c.Fingerprint {
		return c, errors.New("its settings do not match its fingerprint")
	}
	if c.Job.NTrain < 1 || c.Job.Depth < 1 || (c.Job.Multi && c.Job.NAux < c.Job.NTrain) {
		return c, fmt.Errorf("job %+v is not a valid grid cell", c.Job)
	}
	return c, nil
}

// LoadMultitaskCells reads every cell file of dir. All must share one fingerprint.
func LoadMultitaskCells(dir string) ([]MultitaskCell, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("multitask: read cells folder: %w", err)
	}
	var out []MultitaskCell
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") ||
			!(strings.HasPrefix(name, "single_") || strings.HasPrefix(name, "multi_")) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("multitask: %w", err)
		}
		c, err := mtDecodeCell(b)
		if err != nil {
			return nil, fmt.Errorf("multitask: cell file %s: %w", filepath.Join(dir, name), err)
		}
		if c.Job.Name()+".json" != name {
			return nil, fmt.Errorf("multitask: cell file %s holds job %s", filepath.Join(dir, name), c.Job.Name())
		}
		if len(out) > 0 && out[0].Fingerprint != c.Fingerprint {
			return nil, fmt.Errorf("%w: %s and %s were made with different settings (%s vs %s)",
				ErrMultitaskForeignCells, out[0].Job.Name(), c.Job.Name(), mtFixedJSON(out[0].Fixed), mtFixedJSON(c.Fixed))
		}
		out = append(out, c)
	}
	return out, nil
}

// MultitaskRow is one cell and seed of the table: a multitask student beside its single-task
// baseline. Benefit = single − multi (positive: the auxiliary task helps).
type MultitaskRow struct {
	NTrain, NAux int
	SA, SB, R    float64
	Depth        int
	Seed         int64

	Single, Multi           float64 // best task-1 validation cross-entropy, nats
	Benefit                 float64
	SingleAcc, MultiAcc     float64
	SingleEpoch, MultiEpoch int
}

// MultitaskTable joins the multitask cells with their baselines, sorted by cell then seed. Multitask
// cells whose baseline is missing are counted in missing.
func MultitaskTable(cells []MultitaskCell) (rows []MultitaskRow, missing int) {
	single := map[string]MultitaskCell{}
	for _, c := range cells {
		if !c.Job.Multi {
			single[c.Job.Name()] = c
		}
	}
	for _, c := range cells {
		if !c.Job.Multi {
			continue
		}
		b, ok := single[c.Job.baseline().Name()]
		if !ok {
			missing++
			continue
		}
		j := c.Job
		rows = append(rows, MultitaskRow{NTrain: j.NTrain, NAux: j.NAux, SA: j.SA, SB: j.SB, R: j.R, Depth: j.Depth, Seed: j.Seed,
			Single: b.BestLoss, Multi: c.BestLoss, Benefit: b.BestLoss - c.BestLoss,
			SingleAcc: b.BestAcc, MultiAcc: c.BestAcc, SingleEpoch: b.BestEpoch, MultiEpoch: c.BestEpoch})
	}
	slices.SortFunc(rows, func(a, b MultitaskRow) int {
		if c := mtCmpCell(a.key(), b.key()); c != 0 {
			return c
		}
		return int(mtSign(float64(a.Seed - b.Seed)))
	})
	return rows, missing
}

// cellKey identifies a grid cell (all seeds).
type mtCellKey struct {
	NTrain, NAux int
	SA, SB, R    float64
	Depth        int
}

func (r MultitaskRow) key() mtCellKey { return mtCellKey{r.NTrain, r.NAux, r.SA, r.SB, r.R, r.Depth} }

func mtCmpCell(a, b mtCellKey) int {
	for _, d := range []float64{float64(a.NTrain - b.NTrain), float64(a.NAux - b.NAux), a.SA - b.SA, a.SB - b.SB, a.R - b.R, float64(a.Depth - b.Depth)} {
		if d != 0 {
			return int(mtSign(d))
		}
	}
	return 0
}

func mtSign(x float64) float64 {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// MultitaskSummary is one grid cell over its seeds: means and standard errors of the mean.
type MultitaskSummary struct {
	mtCellKey
	Seeds               int
	Benefit, BenefitSEM float64
	Single, SingleSEM   float64
	Multi, MultiSEM     float64
	SingleAcc, MultiAcc float64
}

// Summarize groups rows (sorted as MultitaskTable returns them) by cell.
func SummarizeMultitask(rows []MultitaskRow) []MultitaskSummary {
	var out []MultitaskSummary
	for i := 0; i < len(rows); {
		k := rows[i].key()
		j := i
		for j < len(rows) && rows[j].key() == k {
			j++
		}
		grp := rows[i:j]
		pick := func(f func(MultitaskRow) float64) (mean, sem float64) {
			xs := make([]float64, len(grp))
			for n, r := range grp {
				xs[n] = f(r)
			}
			return mtMeanSEM(xs)
		}
		s := MultitaskSummary{mtCellKey: k, Seeds: len(grp)}
		s.Benefit, s.BenefitSEM = pick(func(r MultitaskRow) float64 { return r.Benefit })
		s.Single, s.SingleSEM = pick(func(r MultitaskRow) float64 { return r.Single })
		s.Multi, s.MultiSEM = pick(func(r MultitaskRow) float64 { return r.Multi })
		s.SingleAcc, _ = pick(func(r MultitaskRow) float64 { return r.SingleAcc })
		s.MultiAcc, _ = pick(func(r MultitaskRow) float64 { return r.MultiAcc })
		out = append(out, s)
		i = j
	}
	return out
}

// meanSEM returns the mean and the standard error of the mean, s/√n with the n−1 sample standard
// deviation (0 for a single value).
func mtMeanSEM(xs []float64) (mean, sem float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss/float64(len(xs)-1)) / math.Sqrt(float64(len(xs)))
}

func mtFmt(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

// WriteMultitaskCSV writes every cell and seed, one row each.
func WriteMultitaskCSV(w io.Writer, rows []MultitaskRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"n_train", "n_aux", "s_a", "s_b", "r", "depth", "seed", "single_loss", "multi_loss", "benefit",
		"single_acc", "multi_acc", "single_best_epoch", "multi_best_epoch"})
	for _, r := range rows {
		_ = cw.Write([]string{strconv.Itoa(r.NTrain), strconv.Itoa(r.NAux), mtFmt(r.SA), mtFmt(r.SB), mtFmt(r.R),
			strconv.Itoa(r.Depth), strconv.FormatInt(r.Seed, 10), mtFmt(r.Single), mtFmt(r.Multi), mtFmt(r.Benefit),
			mtFmt(r.SingleAcc), mtFmt(r.MultiAcc), strconv.Itoa(r.SingleEpoch), strconv.Itoa(r.MultiEpoch)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteMultitaskSummaryCSV writes one row per cell: mean ± SEM over its seeds.
func WriteMultitaskSummaryCSV(w io.Writer, sums []MultitaskSummary) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"n_train", "n_aux", "s_a", "s_b", "r", "depth", "seeds", "benefit", "benefit_sem",
		"single_loss", "single_sem", "multi_loss", "multi_sem", "single_acc", "multi_acc"})
	for _, s := range sums {
		_ = cw.Write([]string{strconv.Itoa(s.NTrain), strconv.Itoa(s.NAux), mtFmt(s.SA), mtFmt(s.SB), mtFmt(s.R),
			strconv.Itoa(s.Depth), strconv.Itoa(s.Seeds), mtFmt(s.Benefit), mtFmt(s.BenefitSEM), mtFmt(s.Single),
			mtFmt(s.SingleSEM), mtFmt(s.Multi), mtFmt(s.MultiSEM), mtFmt(s.SingleAcc), mtFmt(s.MultiAcc)})
	}
	cw.Flush()
	return cw.Error()
}

// MergeMultitask reads the cells folder dir and writes, into out (created if needed), the table of
// every cell and seed (multitask_cells.csv), the per-cell summary (multitask_summary.csv) and the
// benefit figure (multitask_benefit.png), each atomically. It returns the summary and the number of
// multitask results whose single-task baseline is not there yet.
func MergeMultitask(dir, out string) ([]MultitaskSummary, int, error) {
	cells, err := LoadMultitaskCells(dir)
	if err != nil {
		return nil, 0, err
	}
	rows, missing := MultitaskTable(cells)
	sums := SummarizeMultitask(rows)
	if err := writeMultitaskOutputs(out, rows, sums); err != nil {
		return nil, 0, err
	}
	return sums, missing, nil
}

func writeMultitaskOutputs(out string, rows []MultitaskRow, sums []MultitaskSummary) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("multitask: create output folder: %w", err)
	}
	var buf bytes.Buffer
	if err := WriteMultitaskCSV(&buf, rows); err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(out, "multitask_cells.csv"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("multitask: %w", err)
	}
	buf.Reset()
	if err := WriteMultitaskSummaryCSV(&buf, sums); err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(out, "multitask_summary.csv"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("multitask: %w", err)
	}
	png, err := mtBenefitFigure(sums).PNG()
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(out, "multitask_benefit.png"), png, 0o644); err != nil {
		return fmt.Errorf("multitask: %w", err)
	}
	return nil
}
