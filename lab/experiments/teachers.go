package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/logitlab/logitlab/internal/checkpoint"
	"github.com/logitlab/logitlab/internal/fsutil"
	"github.com/logitlab/logitlab/models"
)

// teachersFile is the file in a logits run's directory that holds the first seed's standard and
// robust models, for the distill experiment (--teacher-run).
const teachersFile = "teachers.ckpt"

// teacherMeta describes the models of a teachers file.
type teacherMeta struct {
	Spec         models.Spec        `json:"spec"`
	Data         string             `json:"data"`
	TrainSamples int                `json:"train_samples"` // 0: the whole training set
	FullData     bool               `json:"full_data"`
	Method       string             `json:"method"`
	Eps          float64            `json:"eps"`
	Seed         int64              `json:"seed"`
	CleanAcc     map[string]float64 `json:"clean_acc"`
}

// saveTeachers writes the standard and robust networks with meta to dir/teachers.ckpt,
// atomically (a reader sees the old file or the new one).
func saveTeachers(dir string, meta teacherMeta, nets map[string]*models.Net) error {
	b, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("save teachers: encode metadata: %w", err)
	}
	snap := &checkpoint.Snapshot{Meta: b}
	for _, name := range []string{mStandard, mRobust} {
		n, ok := nets[name]
		if !ok {
			return fmt.Errorf("save teachers: no %s model", name)
		}
		for _, t := range n.Params() {
			t.Name = name + "/" + t.Name
			snap.Tensors = append(snap.Tensors, t)
		}
	}
	path := filepath.Join(dir, teachersFile)
	if err := fsutil.WriteAtomic(path, 0o644, func(w io.Writer) error { return checkpoint.Encode(w, snap) }); err != nil {
		return fmt.Errorf("save teachers to %s: %w", path, err)
	}
	return nil
}

// resolveRunDir finds a run directory from a path or a run id under runsDir.
func resolveRunDir(ref, runsDir string) (string, error) {
	for _, p := range []string{ref, filepath.Join(runsDir, ref)} {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("teacher run %q: no such directory (nor %s): give a logits run's directory or its id, as `logitlab runs` lists them",
		ref, filepath.Join(runsDir, ref))
}

// loadTeachers reads the standard and robust networks of a logits run directory.
func loadTeachers(dir string) (teacherMeta, map[string]*models.Net, error) {
	var meta teacherMeta
	path := filepath.Join(dir, teachersFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return meta, nil, fmt.Errorf("%s has no %s: teachers are saved by logits runs once their first seed is done; "+
			"use a finished logits run (`logitlab run logits`) or leave distill.teacher_run empty to train them here", dir, teachersFile)
	}
	if err != nil {
		return meta, nil, fmt.Errorf("open teachers: %w", err)
	}
	defer f.Close()
	snap, err := checkpoint.Decode(f)
	if err != nil {
		return meta, nil, fmt.Errorf("read teachers from %s: %w", path, err)
	}
	if err := json.Unmarshal(snap.Meta, &meta); err != nil {
		return meta, nil, fmt.Errorf("read teachers from %s: metadata: %w", path, err)
	}
	nets := map[string]*models.Net{}
	for _, name := range []string{mStandard, mRobust} {
		n, err := models.NewNet(meta.Spec, 0)
		if err != nil {
			return meta, nil, fmt.Errorf("teachers in %s: %w", path, err)
		}
		var ts []checkpoint.Tensor
		for _, t := range snap.Tensors {
			if rest, ok := strings.CutPrefix(t.Name, name+"/"); ok {
				t.Name = rest
				ts = append(ts, t)
			}
		}
		if err := n.SetParams(ts); err != nil {
			return meta, nil, fmt.Errorf("teachers in %s: the %s model: %w", path, name, err)
		}
		nets[name] = n
	}
	return meta, nets, nil
}
