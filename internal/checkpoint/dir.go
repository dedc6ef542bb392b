package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	filePrefix = "ckpt-"
	fileSuffix = ".llck"
	tmpPrefix  = ".ckpt-"
	stepDigits = 12
)

// FileName returns the base name Save uses for step: ckpt-<step, 12 digits>.llck.
func FileName(step int64) string {
	return fmt.Sprintf("%s%0*d%s", filePrefix, stepDigits, step, fileSuffix)
}

// parseFileName returns the step of a name FileName produced.
func parseFileName(name string) (int64, bool) {
	digits, ok := strings.CutPrefix(name, filePrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, fileSuffix)
	if !ok || len(digits) < stepDigits {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	step, err := strconv.ParseInt(digits, 10, 64)
	return step, err == nil
}

type entry struct {
	step int64
	name string
}

// list returns the checkpoint files in dir, newest step first.
func list(dir string) ([]entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var es []entry
	for _, de := range des {
		if step, ok := parseFileName(de.Name()); ok && de.Type().IsRegular() {
			es = append(es, entry{step, de.Name()})
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return -compareInt64(a.step, b.step) })
	return es, nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Save writes s to dir/FileName(s.Step) atomically (temporary file, fsync, rename, fsync of
// the directory), creating dir if needed, then deletes all but the newest keep checkpoint files
// (keep < 1 keeps all) and any temporary files a crashed Save left. A file for the same step is
// replaced.
//
// If the checkpoint is durable but pruning fails, Save returns its path together with an error.
func Save(dir string, s *Snapshot, keep int) (path string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: create directory: %w", err)
	}
	if _, err := payloadSize(s); err != nil {
		return "", err
	}
	path = filepath.Join(dir, FileName(s.Step))
	f, err := os.CreateTemp(dir, tmpPrefix+"*.tmp")
	if err != nil {
		return "", fmt.Errorf("checkpoint: create temporary file in %s: %w", dir, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = os.Remove(f.Name())
		}
	}()
	err = Encode(f, s)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
		renamed = err == nil
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return "", fmt.Errorf("checkpoint: save step %d to %s: %w", s.Step, dir, err)
	}
	if err := prune(dir, keep); err != nil {
		return path, fmt.Errorf("checkpoint: saved %s but could not delete old checkpoints: %w", path, err)
	}
	return path, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// prune removes all but the newest keep checkpoints and leftover temporary files.
func prune(dir string, keep int) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, de := range des {
		if strings.HasPrefix(de.Name(), tmpPrefix) && strings.HasSuffix(de.Name(), ".tmp") {
			if err := os.Remove(filepath.Join(dir, de.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if keep >= 1 {
		es, err := list(dir)
		if err != nil {
			return err
		}
		for _, e := range es[min(keep, len(es)):] {
			if err := os.Remove(filepath.Join(dir, e.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Latest loads the newest checkpoint in dir that decodes cleanly and whose step matches its
// file name. Newer files that fail are skipped and reported in warnings (each wrapping the
// decode error, usually ErrCorrupt). If dir is missing or holds no loadable checkpoint, err
// wraps os.ErrNotExist.
func Latest(dir string) (s *Snapshot, path string, warnings []error, err error) {
	es, err := list(dir)
	if err != nil {
		return nil, "", nil, fmt.Errorf("checkpoint: list %s: %w", dir, err)
	}
	for _, e := range es {
		p := filepath.Join(dir, e.name)
		s, err := load(p)
		if err == nil && s.Step != e.step {
			err = corrupt(8, "holds step %d but is named for step %d", s.Step, e.step)
		}
		if err != nil {
			warnings = append(warnings, fmt.Errorf("checkpoint: skip %s: %w", p, err))
			continue
		}
		return s, p, warnings, nil
	}
	return nil, "", warnings, fmt.Errorf("checkpoint: no loadable checkpoint in %s (%d skipped): %w", dir, len(warnings), os.ErrNotExist)
}

// Load reads and decodes the checkpoint file at path.
func Load(path string) (*Snapshot, error) {
	s, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load %s: %w", path, err)
	}
	return s, nil
}

func load(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f)
}
