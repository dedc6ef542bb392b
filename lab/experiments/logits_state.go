package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/models"
)

// num is a float64 whose JSON survives NaN and ±Inf (written "NaN", "+Inf", "-Inf"), for the
// numbers a checkpoint's metadata and the results carry (a rank correlation of a constant is NaN).
type num float64

func (f num) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *num) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`, "null":
		*f = num(math.NaN())
		return nil
	case `"+Inf"`:
		*f = num(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = num(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*f = num(v)
	return nil
}

// logitsMeta is what a logits checkpoint carries besides tensors: where the run is, the live
// settings in force, and every result so far, so that a resumed run emits exactly the events and
// results an uninterrupted one would.
type logitsMeta struct {
	Job         int            `json:"job"`   // index of the job in progress (len(jobs): all done)
	Local       int64          `json:"local"` // steps taken in that job
	LossSum     map[string]num `json:"loss_sum"`
	LossCount   int            `json:"loss_count"`
	WallSeconds float64        `json:"wall_seconds"`
	BaseLR      float64        `json:"base_lr"` // the lr setting (the cosine schedule's peak)
	Eps         float64        `json:"eps"`
	AttackSteps int            `json:"attack_steps"`
	Beta        float64        `json:"beta"`
	Seeds       []seedResult   `json:"seeds"`
	Sweep       []sweepResult  `json:"sweep"`
	Track       []trackPoint   `json:"track"`
	Gallery     *galleryResult `json:"gallery,omitempty"`
}

// jobModels are the models a job trains, in a fixed order, with their graphs.
type jobModels struct {
	names    []string // "standard", "robust", "baseline" (a seed job) or "robust" (a sweep job)
	nets     map[string]*models.Net
	trainers map[string]*models.Trainer
	adv      *attacks.Trainer // trains "robust"
	eval     map[string]*attacks.NetModel
}

func (jm *jobModels) close() error {
	if jm == nil {
		return nil
	}
	var errs []error
	if jm.adv != nil {
		errs = append(errs, jm.adv.Close())
	}
	for _, n := range jm.names {
		if t := jm.trainers[n]; t != nil {
			errs = append(errs, t.Close())
		}
		if e := jm.eval[n]; e != nil {
			errs = append(errs, e.Close())
		}
	}
	return errors.Join(errs...)
}

// logitsState is the Steerable face of a logits run.
type logitsState struct {
	meta   logitsMeta
	jm     *jobModels // nil between jobs
	total  int64      // steps of one job
	cosine bool
	method string
	sweep  bool // the current job is part of the eps sweep: its eps is fixed
}

// Apply implements lab.Steerable. Live settings: lr (every model), eps and attack_steps (the
// robust model's training attack), beta (trades only).
func (s *logitsState) Apply(name string, v float64) (float64, error) {
	name = strings.TrimPrefix(name, "logits.")
	bad := func(lo, hi float64) error {
		return fmt.Errorf("%s %g is out of range: it must be in (%g, %g]", name, v, lo, hi)
	}
	switch name {
	case "lr":
		if !(v > 0) || v > 1 {
			return 0, bad(0, 1)
		}
		s.meta.BaseLR = v
		if s.jm != nil {
			lr := v * s.lrFactor()
			for _, t := range s.jm.trainers {
				t.SetLR(lr)
			}
		}
		return v, nil
	case "eps":
		if !(v > 0) || v > 1 {
			return 0, bad(0, 1)
		}
		if s.sweep {
			return 0, fmt.Errorf("eps is fixed while the eps sweep trains its models; change it during a seed's training")
		}
		if s.jm != nil && s.jm.adv != nil {
			if err := s.jm.adv.SetEps(v); err != nil {
				return 0, err
			}
		}
		s.meta.Eps = v
		return v, nil
	case "attack_steps":
		k := int(math.Round(v))
		if k < 1 || k > 1000 {
			return 0, fmt.Errorf("attack_steps %g is out of range: it must be a whole number in 1..1000", v)
		}
		if s.jm != nil && s.jm.adv != nil {
			if err := s.jm.adv.SetSteps(k); err != nil {
				return 0, err
			}
		}
		s.meta.AttackSteps = k
		return float64(k), nil
	case "beta":
		if s.method != string(attacks.MethodTRADES) {
			return 0, fmt.Errorf("beta is a trades setting; this run trains with %s", s.method)
		}
		if !(v >= 0) || v > 1000 {
			return 0, fmt.Errorf("beta %g is out of range: it must be in [0, 1000]", v)
		}
		if s.jm != nil && s.jm.adv != nil {
			if err := s.jm.adv.SetBeta(v); err != nil {
				return 0, err
			}
		}
		s.meta.Beta = v
		return v, nil
	}
	return 0, fmt.Errorf("the logits experiment has no live setting %q (it has: lr, eps, attack_steps, beta)", name)
}

// lrFactor is the schedule's multiplier at the current step of the job.
func (s *logitsState) lrFactor() float64 {
	if !s.cosine {
		return 1
	}
	return cosineFactor(s.meta.Local, s.total)
}

// Snapshot implements lab.Steerable: the metadata, and each current model's parameters and
// optimizer state under "<model>/".
func (s *logitsState) Snapshot() (*checkpoint.Snapshot, error) {
	meta, err := json.Marshal(s.meta)
	if err != nil {
		return nil, fmt.Errorf("logits: encode checkpoint metadata: %w", err)
	}
	snap := &checkpoint.Snapshot{Step: s.step(), Meta: meta}
	if s.jm != nil {
		for _, n := range s.jm.names {
			for _, t := range s.jm.trainers[n].Snapshot() {
				t.Name = n + "/" + t.Name
				snap.Tensors = append(snap.Tensors, t)
			}
		}
	}
	return snap, nil
}

// step is the run's global step: completed jobs times their length, plus the current job's steps.
func (s *logitsState) step() int64 { return int64(s.meta.Job)*s.total + s.meta.Local }

// readMeta decodes a checkpoint's metadata and checks it against the checkpoint's step.
func (s *logitsState) readMeta(snap *checkpoint.Snapshot) error {
	if err := json.Unmarshal(snap.Meta, &s.meta); err != nil {
		return fmt.Errorf("logits: checkpoint at step %d has unreadable metadata: %w", snap.Step, err)
	}
	if s.step() != snap.Step {
		return fmt.Errorf("logits: checkpoint says step %d but its metadata says %d (was it written with other settings?)", snap.Step, s.step())
	}
	return nil
}

// restoreModels loads the current job's models from a checkpoint's tensors.
func (s *logitsState) restoreModels(snap *checkpoint.Snapshot) error {
	for _, n := range s.jm.names {
		var ts []checkpoint.Tensor
		for _, t := range snap.Tensors {
			if rest, ok := strings.CutPrefix(t.Name, n+"/"); ok {
				t.Name = rest
				ts = append(ts, t)
			}
		}
		if err := s.jm.trainers[n].Restore(ts); err != nil {
			return fmt.Errorf("logits: restore the %s model at step %d (was the checkpoint written with another model or data set?): %w", n, snap.Step, err)
		}
	}
	return nil
}
