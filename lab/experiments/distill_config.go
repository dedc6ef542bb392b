package experiments

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/logits"
)

// distillVariant is one kind of student: trained on hard labels, or distilled from a teacher
// whose logits are first put through a manipulation.
type distillVariant struct {
	Name    string // as written: "hard", "robust", "robust:shuffle+swapconf"
	Teacher string // "" (hard labels), "standard" or "robust"
	Manip   logits.Manipulation
}

// variantHard is the name of the hard-label baseline.
const variantHard = "hard"

// parseVariants parses distill.variants: a comma-separated list of "hard", "TEACHER" or
// "TEACHER:MANIP".
func parseVariants(s string) ([]distillVariant, error) {
	var out []distillVariant
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v := distillVariant{Name: f}
		if f != variantHard {
			teacher, manip, _ := strings.Cut(f, ":")
			if teacher != mStandard && teacher != mRobust {
				return nil, fmt.Errorf("distill.variants: %q: a variant is hard, standard[:MANIP] or robust[:MANIP] (MANIP: %s)", f, manipNames())
			}
			v.Teacher = teacher
			if manip != "" {
				m, err := logits.ParseManipulation(manip)
				if err != nil {
					return nil, fmt.Errorf("distill.variants: %q: %w", f, err)
				}
				v.Manip = m
			}
			v.Name = teacher
			if len(v.Manip) > 0 {
				v.Name += ":" + v.Manip.String()
			}
		}
		if seen[v.Name] {
			return nil, fmt.Errorf("distill.variants: %q is listed twice", v.Name)
		}
		seen[v.Name] = true
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("distill.variants is empty: list at least one, e.g. hard,robust,robust:shuffle")
	}
	return out, nil
}

func manipNames() string {
	var names []string
	for _, h := range logits.ManipHelp() {
		names = append(names, h[0])
	}
	return strings.Join(names, ", ") + ", or several joined by +"
}

// parseTemperatures parses distill.temperatures: positive, finite, sorted, without duplicates.
func parseTemperatures(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) || v > 1e4 {
			return nil, fmt.Errorf("distill.temperatures: %q is not a temperature in (0, 10000]; write a list such as 1,4,10,30", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("distill.temperatures is empty: give at least one T, e.g. 30")
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// studentJob is one student to train: a variant at a temperature (0 for hard labels) and seed.
type studentJob struct {
	Variant distillVariant
	T       float64
	Seed    int64
}

// key identifies a job in the results and the checkpoint.
func (j studentJob) key() string {
	return fmt.Sprintf("%s|T=%g|seed=%d", j.Variant.Name, j.T, j.Seed)
}

// group is the variant at its temperature: the row of the results table ("robust:shuffle @T=4"
// when the run has several temperatures).
func (j studentJob) group(manyT bool) string {
	if !manyT || j.Variant.Teacher == "" {
		return j.Variant.Name
	}
	return fmt.Sprintf("%s @T=%g", j.Variant.Name, j.T)
}

// initSeed is the seed of a student's initialization and data order: offset from the
// teachers' (which use the first seed), so that a hard-label student is never the standard
// teacher over again.
func (j studentJob) initSeed() uint64 { return uint64(j.Seed) + 7919 }

// manipSeed is the seed of a job's manipulation draws: a function of the seed and the variant.
func (j studentJob) manipSeed() uint64 {
	h := fnv.New64a()
	h.Write([]byte(j.Variant.Name))
	return attackSeed(j.Seed, int64(h.Sum64()>>1))
}

// planStudents lists the jobs in queue order: seed-major, so that each variant has a first
// result early; a hard-label student once per seed, not per temperature.
func planStudents(vs []distillVariant, temps []float64, seed int64, seeds int) []studentJob {
	var jobs []studentJob
	for s := range seeds {
		for _, T := range temps {
			for _, v := range vs {
				if v.Teacher == "" {
					if T != temps[0] {
						continue
					}
					jobs = append(jobs, studentJob{Variant: v, Seed: seed + int64(s)})
					continue
				}
				jobs = append(jobs, studentJob{Variant: v, T: T, Seed: seed + int64(s)})
			}
		}
	}
	return jobs
}
