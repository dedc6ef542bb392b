package experiments

import (
	"slices"
	"testing"
)

func TestParseVariants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string // canonical names; nil: an error
	}{
		{"hard,robust,standard", []string{"hard", "robust", "standard"}},
		{" robust:shuffle , robust:none, standard:graft+top1 ", []string{"robust:shuffle", "robust", "standard:graft+top1"}},
		{"robust:shuffle+none", []string{"robust:shuffle"}},
		{"robust,robust:none", nil}, // the same student twice
		{"teacher:shuffle", nil},
		{"robust:shufle", nil},
		{"hard:mean", nil},
		{"", nil},
		{" , ", nil},
	} {
		vs, err := parseVariants(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseTemperatures(t *testing.T) {
	t.Parallel()
	got, err := parseTemperatures("30, 1,4,10,4")
	if err != nil || !slices.Equal(got, []float64{1, 4, 10, 30}) {
		t.Errorf("got %v %v", got, err)
	}
	for _, bad := range []string{"", "0", "-1", "NaN", "Inf", "x", "1e5"} {
		if _, err := parseTemperatures(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestPlanStudents: every variant at every T and seed, except the hard-label student, which has
// no temperature and is trained once per seed; keys are unique.
func TestPlanStudents(t *testing.T) {
	t.Parallel()
	vs, err := parseVariants("hard,robust,standard:shuffle")
	if err != nil {
		t.Fatal(err)
	}
	jobs := planStudents(vs, []float64{1, 30}, 5, 3)
	if len(jobs) != 3*(1+2*2) {
		t.Fatalf("%d jobs, want 15", len(jobs))
	}
	keys := map[string]bool{}
	for _, j := range jobs {
		if keys[j.key()] {
			t.Fatalf("duplicate job %s", j.key())
		}
		keys[j.key()] = true
		if (j.Variant.Teacher == "") != (j.T == 0) {
			t.Errorf("%s: T %g", j.key(), j.T)
		}
		if j.Seed < 5 || j.Seed > 7 {
			t.Errorf("%s: seed out of range", j.key())
		}
	}
	if jobs[0].group(true) != "hard" || jobs[1].group(true) != "robust @T=1" || jobs[1].group(false) != "robust" {
		t.Errorf("groups %q %q %q", jobs[0].group(true), jobs[1].group(true), jobs[1].group(false))
	}
	if jobs[1].manipSeed() == jobs[2].manipSeed() {
		t.Error("two variants draw the same manipulation seed")
	}
}
