package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/logitlab/logitlab/attacks"
	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/models"
)

// distillMeta is what a distill checkpoint carries besides the teachers' tensors.
type distillMeta struct {
	Step          int64  `json:"step"`          // events' step: teacher steps plus every student step taken
	TeacherLocal  int64  `json:"teacher_local"` // teacher steps taken
	TeachersDone  bool   `json:"teachers_done"`
	TeacherSource string `json:"teacher_source,omitempty"` // the teacher run's directory, if any
	// Teachers holds the teachers' evaluation, by name, once done.
	Teachers map[string]*studentResult `json:"teachers,omitempty"`
	// Done holds every finished student's result by studentJob.key.
	Done map[string]studentResult `json:"done,omitempty"`
	// Abandoned counts the steps of students a stop or crash interrupted (retrained on resume).
	Abandoned   int64   `json:"abandoned_steps"`
	LR          float64 `json:"lr"`
	Alpha       float64 `json:"alpha"`
	LiveT       float64 `json:"live_t,omitempty"` // a temperature set mid-run (single-T runs only); 0: none
	WallSeconds float64 `json:"wall_seconds"`
}

// distillState is the Steerable face of a distill run. The run's goroutine owns it; workers read
// meta's live settings with gate held for reading, and Apply runs with it held for writing.
type distillState struct {
	gate  sync.RWMutex
	meta  distillMeta
	manyT bool
	nets  map[string]*models.Net // the teachers
	// trainers and adv exist while the teachers train.
	trainers      map[string]*models.Trainer
	adv           *attacks.Trainer
	stepsPerEpoch int64
	teacherTotal  int64 // teacher steps (0 with a teacher run)
	studentTotal  int64 // steps of one student
}

// Apply implements lab.Steerable. Live settings: lr (teachers and students), alpha, and T when
// the run has one temperature.
func (s *distillState) Apply(name string, v float64) (float64, error) {
	name = strings.TrimPrefix(name, "distill.")
	switch name {
	case "lr":
		if !(v > 0) || v > 1 {
			return 0, fmt.Errorf("lr %g is out of range: it must be in (0, 1]", v)
		}
		s.meta.LR = v
		return v, nil
	case "alpha":
		if !(v >= 0 && v <= 1) {
			return 0, fmt.Errorf("alpha %g is out of range: it must be in [0, 1]", v)
		}
		s.meta.Alpha = v
		return v, nil
	case "T", "t", "temperature":
		if s.manyT {
			return 0, fmt.Errorf("this run sweeps several temperatures; T can change mid-run only in a run with one")
		}
		if !(v > 0) || v > 1e4 {
			return 0, fmt.Errorf("T %g is out of range: it must be in (0, 10000]", v)
		}
		s.meta.LiveT = v
		return v, nil
	}
	return 0, fmt.Errorf("the distill experiment has no live setting %q (it has: lr, alpha, T)", name)
}

// Snapshot implements lab.Steerable: the metadata, and the teachers under "teacher/<name>/" —
// their trainers (parameters and optimizer state) while they train, their parameters after.
func (s *distillState) Snapshot() (*checkpoint.Snapshot, error) {
	meta, err := json.Marshal(s.meta)
	if err != nil {
		return nil, fmt.Errorf("distill: encode checkpoint metadata: %w", err)
	}
	snap := &checkpoint.Snapshot{Step: s.meta.Step, Meta: meta}
	for _, name := range teacherNames() {
		var ts []checkpoint.Tensor
		if tr := s.trainers[name]; tr != nil {
			ts = tr.Snapshot()
		} else if n := s.nets[name]; n != nil {
			ts = n.Params()
		}
		for _, t := range ts {
			t.Name = "teacher/" + name + "/" + t.Name
			snap.Tensors = append(snap.Tensors, t)
		}
	}
	return snap, nil
}

// readMeta decodes a checkpoint's metadata.
func (s *distillState) readMeta(snap *checkpoint.Snapshot) error {
	if err := json.Unmarshal(snap.Meta, &s.meta); err != nil {
		return fmt.Errorf("distill: checkpoint at step %d has unreadable metadata: %w", snap.Step, err)
	}
	if s.meta.Step != snap.Step {
		return fmt.Errorf("distill: checkpoint says step %d but its metadata says %d", snap.Step, s.meta.Step)
	}
	return nil
}

// teacherTensors returns a checkpoint's tensors of one teacher, prefix removed.
func teacherTensors(snap *checkpoint.Snapshot, name string) []checkpoint.Tensor {
	var ts []checkpoint.Tensor
	for _, t := range snap.Tensors {
		if rest, ok := strings.CutPrefix(t.Name, "teacher/"+name+"/"); ok {
			t.Name = rest
			ts = append(ts, t)
		}
	}
	return ts
}

// restoreTeachers loads finished teachers' parameters from a checkpoint (teachers still in
// training are restored with their trainers by openTeacherTrainers). It also counts the steps
// of students the interruption abandoned.
func (s *distillState) restoreTeachers(snap *checkpoint.Snapshot) error {
	if s.meta.TeachersDone {
		for _, name := range teacherNames() {
			if err := s.nets[name].SetParams(teacherTensors(snap, name)); err != nil {
				return fmt.Errorf("distill: restore the %s teacher at step %d (was the checkpoint written with another model?): %w", name, snap.Step, err)
			}
		}
	}
	if s.meta.TeachersDone {
		taught := s.meta.TeacherLocal + int64(len(s.meta.Done))*s.studentTotal + s.meta.Abandoned
		if extra := s.meta.Step - taught; extra > 0 {
			s.meta.Abandoned += extra
		}
	}
	return nil
}

// openTeacherTrainers builds the teachers' trainers (restoring them from snap when the run
// resumes mid-training) and the robust teacher's PGD trainer.
func (s *distillState) openTeacherTrainers(cfg config.DistillConfig, snap *checkpoint.Snapshot) error {
	s.trainers = map[string]*models.Trainer{}
	for _, name := range teacherNames() {
		tr, err := models.NewTrainer(s.nets[name], cfg.Batch, models.OptimSpec{Name: models.OptimAdam, LR: s.meta.LR})
		if err != nil {
			return errors.Join(err, s.closeTeacherTrainers())
		}
		s.trainers[name] = tr
		if snap != nil && s.meta.TeacherLocal > 0 {
			if err := tr.Restore(teacherTensors(snap, name)); err != nil {
				return errors.Join(fmt.Errorf("distill: restore the %s teacher at step %d: %w", name, snap.Step, err), s.closeTeacherTrainers())
			}
		}
	}
	adv, err := attacks.NewTrainer(s.nets[mRobust], s.trainers[mRobust], attacks.TrainParams{
		Method: attacks.MethodPGD, Eps: math.Max(cfg.Eps, 1e-6), Steps: cfg.AttackSteps})
	if err != nil {
		return errors.Join(err, s.closeTeacherTrainers())
	}
	s.adv = adv
	return nil
}

// closeTeacherTrainers releases the teachers' training graphs.
func (s *distillState) closeTeacherTrainers() error {
	var errs []error
	if s.adv != nil {
		errs = append(errs, s.adv.Close())
		s.adv = nil
	}
	for name, tr := range s.trainers {
		errs = append(errs, tr.Close())
		delete(s.trainers, name)
	}
	return errors.Join(errs...)
}
