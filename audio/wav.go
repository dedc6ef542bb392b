package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WAVError reports why a WAV file cannot be used. It wraps ErrFormat.
type WAVError struct {
	Path   string // "" when read from a stream
	Reason string
}

func (e *WAVError) Error() string {
	if e.Path == "" {
		return "audio: wav: " + e.Reason
	}
	return fmt.Sprintf("audio: wav %s: %s", e.Path, e.Reason)
}

func (e *WAVError) Unwrap() error { return ErrFormat }

// maxWAVBytes bounds what ReadWAV reads: one minute of 48 kHz 16-bit mono is 5.8 MB.
const maxWAVBytes = 64 << 20

// ReadWAV reads a RIFF/WAVE file of 16-bit PCM mono at 8000 or 16000 Hz and returns one second at
// RateHz: 16 kHz input is decimated by 2 (mean of each pair, a crude low-pass); shorter audio is
// zero-padded, longer cut. Chunk sizes are clamped to the data present, so the streamed files
// espeak-ng writes (sizes 0x7fffffff) read. Any other format, rate or channel count is a
// *WAVError saying what was found and what is wanted.
func ReadWAV(r io.Reader) ([]float32, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxWAVBytes+1))
	if err != nil {
		return nil, &WAVError{Reason: "read: " + err.Error()}
	}
	if len(b) > maxWAVBytes {
		return nil, &WAVError{Reason: fmt.Sprintf("larger than %d MB", maxWAVBytes>>20)}
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, &WAVError{Reason: "not a RIFF/WAVE file (bad header)"}
	}
	var (
		haveFmt          bool
		format, channels uint16
		rate             uint32
		bits             uint16
		pcm              []byte
		havePCM          bool
	)
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int64(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		body := b[p+8:]
		if size < int64(len(body)) {
			body = body[:size]
		}
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, &WAVError{Reason: fmt.Sprintf("fmt chunk of %d bytes, want >= 16", len(body))}
			}
			format = binary.LittleEndian.Uint16(body[0:])
			channels = binary.LittleEndian.Uint16(body[2:])
			rate = binary.LittleEndian.Uint32(body[4:])
			bits = binary.LittleEndian.Uint16(body[14:])
			haveFmt = true
		case "data":
			pcm, havePCM = body, true
		}
		if havePCM && haveFmt {
			break
		}
		p += 8 + len(body) + len(body)&1
	}
	switch {
	case !haveFmt:
		return nil, &WAVError{Reason: "no fmt chunk"}
	case !havePCM:
		return nil, &WAVError{Reason: "no data chunk"}
	case format != 1 && format != 0xfffe:
		return nil, &WAVError{Reason: fmt.Sprintf("format tag %d, want 1 (PCM); convert with sox in.wav -e signed -b 16 out.wav", format)}
	case channels != 1:
		return nil, &WAVError{Reason: fmt.Sprintf("%d channels, want 1 (mono); convert with sox in.wav -c 1 out.wav", channels)}
	case bits != 16:
		return nil, &WAVError{Reason: fmt.Sprintf("%d bits per sample, want 16", bits)}
	case rate != 8000 && rate != 16000:
		return nil, &WAVError{Reason: fmt.Sprintf("sample rate %d Hz, want 8000 or 16000; convert with sox in.wav -r 8000 out.wav", rate)}
	}
	step := int(rate) / RateHz
	out := make([]float32, ClipLen)
	n := len(pcm) / 2
	for i := range out {
		if (i+1)*step > n {
			break
		}
		var s float32
		for j := 0; j < step; j++ {
			s += float32(int16(binary.LittleEndian.Uint16(pcm[2*(i*step+j):])))
		}
		out[i] = s / float32(step) / 32768
	}
	return out, nil
}

// DirOptions configures ReadDir.
type DirOptions struct {
	Task     string  // task name given to the labels (default "keyword")
	TestFrac float64 // fraction of speakers held out for test when no testing_list.txt exists (default 0.2)
	MaxFiles int     // stop with an error beyond this many files (default 100000)
}

// ReadDir reads a folder laid out like Speech Commands: <dir>/<label>/<name>.wav, one label per
// subfolder (folders starting with "_" such as _background_noise_ are skipped). The speaker is the
// part of <name> before "_nohash_" (the whole name otherwise). Test clips are those listed in
// <dir>/testing_list.txt when it exists, else the speakers whose hash falls in the last TestFrac.
// Any unreadable WAV is an error naming the file.
func ReadDir(dir string, opt DirOptions) (*Set, error) {
	if opt.Task == "" {
		opt.Task = TaskKeyword
	}
	if opt.TestFrac == 0 {
		opt.TestFrac = 0.2
	}
	if opt.MaxFiles == 0 {
		opt.MaxFiles = 100000
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audio: read folder %s: %w", dir, err)
	}
	testList := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(dir, "testing_list.txt")); err == nil {
		for _, l := range strings.Fields(string(b)) {
			testList[filepath.ToSlash(l)] = true
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("audio: read %s: %w", filepath.Join(dir, "testing_list.txt"), err)
	}
	s := &Set{Origin: dir}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("audio: read folder %s: %w", filepath.Join(dir, e.Name()), err)
		}
		for _, f := range files {
			if f.IsDir() || !strings.EqualFold(filepath.Ext(f.Name()), ".wav") {
				continue
			}
			if s.N() >= opt.MaxFiles {
				return nil, fmt.Errorf("audio: %s holds more than %d WAV files", dir, opt.MaxFiles)
			}
			rel := e.Name() + "/" + f.Name()
			path := filepath.Join(dir, e.Name(), f.Name())
			fh, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("audio: %w", err)
			}
			x, err := ReadWAV(fh)
			fh.Close()
			if err != nil {
				var we *WAVError
				if errors.As(err, &we) {
					we.Path = path
				}
				return nil, err
			}
			speaker, _, _ := strings.Cut(strings.TrimSuffix(f.Name(), filepath.Ext(f.Name())), "_nohash_")
			split := "train"
			if len(testList) > 0 {
				if testList[rel] {
					split = "test"
				}
			} else if float64(fnv32(speaker)%1000) >= 1000*(1-opt.TestFrac) {
				split = "test"
			}
			s.Samples = append(s.Samples, x...)
			s.Rows = append(s.Rows, Row{Task: opt.Task, Split: split, Label: e.Name(), Voice: speaker, Word: e.Name()})
		}
	}
	if s.N() == 0 {
		return nil, fmt.Errorf("audio: %s has no <label>/<name>.wav files", dir)
	}
	if _, err := s.Task(opt.Task); err != nil {
		return nil, err
	}
	labels := map[string]bool{}
	for _, r := range s.Rows {
		labels[r.Label] = true
	}
	if len(labels) < 2 {
		return nil, fmt.Errorf("audio: %s has %d label folder(s); a task needs at least 2", dir, len(labels))
	}
	return s, nil
}

// fnv32 is the 32-bit FNV-1a hash, a stable speaker → split assignment.
func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
