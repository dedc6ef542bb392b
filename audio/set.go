package audio

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// RateHz is the sample rate of every clip; ClipLen is one second of it.
const (
	RateHz  = 8000
	ClipLen = RateHz
)

// Task names of the embedded set; Unlabelled marks clips without a label.
const (
	TaskKeyword    = "keyword"
	TaskSpeaker    = "speaker"
	TaskInstrument = "instrument"
	Unlabelled     = "unlabelled"
)

// SupervisedTasks lists the embedded set's labelled tasks in a fixed order.
var SupervisedTasks = []string{TaskKeyword, TaskSpeaker, TaskInstrument}

// Row describes one clip.
type Row struct {
	Task, Split, Label, Voice, Word string
	Speed, Pitch                    int
}

// Set is a collection of one-second clips with their descriptions.
type Set struct {
	Samples []float32 // N×ClipLen linear samples in [−1, 1], clip-major
	Rows    []Row
	Origin  string // "embedded (…)" or the folder read
}

// N returns the number of clips.
func (s *Set) N() int { return len(s.Rows) }

// Clip returns the samples of clip i (a view, not a copy).
func (s *Set) Clip(i int) []float32 { return s.Samples[i*ClipLen : (i+1)*ClipLen] }

// Task is one supervised task of a Set: its classes and the clip indices of each split.
type Task struct {
	Name    string
	Classes []string // sorted label names; a label's class is its index
	Train   []int    // clip indices, in set order
	Test    []int
	Label   map[int]int // clip index → class
}

// Task returns the supervised task name of s. It returns an error naming the tasks s has if there
// is none with that name, or if it lacks a train or a test split.
func (s *Set) Task(name string) (*Task, error) {
	t := &Task{Name: name, Label: map[int]int{}}
	for _, r := range s.Rows {
		if r.Task == name && !slices.Contains(t.Classes, r.Label) {
			t.Classes = append(t.Classes, r.Label)
		}
	}
	if len(t.Classes) == 0 {
		return nil, fmt.Errorf("audio: %s has no task %q (it has %v)", s.Origin, name, s.TaskNames())
	}
	slices.Sort(t.Classes)
	for i, r := range s.Rows {
		if r.Task != name {
			continue
		}
		c, _ := slices.BinarySearch(t.Classes, r.Label)
		t.Label[i] = c
		if r.Split == "test" {
			t.Test = append(t.Test, i)
		} else {
			t.Train = append(t.Train, i)
		}
	}
	if len(t.Train) == 0 || len(t.Test) == 0 {
		return nil, fmt.Errorf("audio: task %q of %s has %d train and %d test clips; it needs both", name, s.Origin, len(t.Train), len(t.Test))
	}
	return t, nil
}

// TaskNames lists the labelled tasks of s in order of first appearance.
func (s *Set) TaskNames() []string {
	var names []string
	for _, r := range s.Rows {
		if r.Task != Unlabelled && !slices.Contains(names, r.Task) {
			names = append(names, r.Task)
		}
	}
	return names
}

// UnlabelledPool returns the clips usable without labels: every clip of task Unlabelled and every
// train-split clip of the labelled tasks (their labels hidden). Test clips are never in the pool.
func (s *Set) UnlabelledPool() []int {
	var idx []int
	for i, r := range s.Rows {
		if r.Task == Unlabelled || r.Split != "test" {
			idx = append(idx, i)
		}
	}
	return idx
}

//go:embed data/clips.pcm.gz
var embeddedClips []byte

//go:embed data/index.csv
var embeddedIndex []byte

// ErrFormat is wrapped by every error about malformed audio data.
var ErrFormat = errors.New("audio: malformed data")

// Embedded decodes the set committed with the program (about 0.4 s).
func Embedded() (*Set, error) {
	s, err := Decode(bytes.NewReader(embeddedClips), bytes.NewReader(embeddedIndex))
	if err != nil {
		return nil, fmt.Errorf("audio: embedded set: %w", err)
	}
	s.Origin = fmt.Sprintf("embedded (%d clips, 8 kHz μ-law, scripts/gen-audio)", s.N())
	return s, nil
}

// Decode reads a set in the embedded format: a gzip stream of N×ClipLen G.711 μ-law bytes and a
// CSV index with header id,task,split,label,voice,word,speed,pitch and one row per clip, ids
// 0…N−1 in order. Errors wrap ErrFormat.
func Decode(clipsGz, index io.Reader) (*Set, error) {
	rows, err := readIndex(index)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(clipsGz)
	if err != nil {
		return nil, fmt.Errorf("%w: clips: %v", ErrFormat, err)
	}
	raw := make([]byte, len(rows)*ClipLen)
	if _, err := io.ReadFull(zr, raw); err != nil {
		return nil, fmt.Errorf("%w: clips: want %d clips of %d bytes: %v", ErrFormat, len(rows), ClipLen, err)
	}
	if n, _ := zr.Read(make([]byte, 1)); n != 0 {
		return nil, fmt.Errorf("%w: clips: more bytes than the %d clips the index lists", ErrFormat, len(rows))
	}
	var table [256]float32
	for b := range table {
		table[b] = DecodeG711(byte(b))
	}
	s := &Set{Samples: make([]float32, len(raw)), Rows: rows}
	for i, b := range raw {
		s.Samples[i] = table[b]
	}
	return s, nil
}

func readIndex(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 8
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: index header: %v", ErrFormat, err)
	}
	want := []string{"id", "task", "split", "label", "voice", "word", "speed", "pitch"}
	if !slices.Equal(head, want) {
		return nil, fmt.Errorf("%w: index header %q, want %q", ErrFormat, head, want)
	}
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: index: %v", ErrFormat, err)
		}
		id, err1 := strconv.Atoi(rec[0])
		speed, err2 := strconv.Atoi(rec[6])
		pitch, err3 := strconv.Atoi(rec[7])
		if err := errors.Join(err1, err2, err3); err != nil || id != len(rows) {
			return nil, fmt.Errorf("%w: index line %d: id %q (want %d), speed %q, pitch %q", ErrFormat, line, rec[0], len(rows), rec[6], rec[7])
		}
		switch {
		case rec[2] != "train" && rec[2] != "test":
			return nil, fmt.Errorf("%w: index line %d: split %q, want train or test", ErrFormat, line, rec[2])
		case rec[1] == "":
			return nil, fmt.Errorf("%w: index line %d: empty task", ErrFormat, line)
		case (rec[1] == Unlabelled) != (rec[3] == ""):
			return nil, fmt.Errorf("%w: index line %d: task %q with label %q (only unlabelled clips have no label)", ErrFormat, line, rec[1], rec[3])
		}
		rows = append(rows, Row{Task: rec[1], Split: rec[2], Label: rec[3], Voice: rec[4], Word: rec[5], Speed: speed, Pitch: pitch})
		if len(rows) > 1<<20 {
			return nil, fmt.Errorf("%w: index has more than %d rows", ErrFormat, 1<<20)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: index lists no clips", ErrFormat)
	}
	return rows, nil
}
