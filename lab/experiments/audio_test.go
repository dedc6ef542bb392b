package experiments_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/lab/experiments"
)

// tinyAudio is a budget of seconds: a 4-channel encoder on 1000-sample windows, 2 steps.
func tinyAudio(t *testing.T) config.Config {
	t.Helper()
	c := config.Default()
	c.Lab.RunsDir = t.TempDir()
	a := &c.Audio
	a.Regimes, a.Conditions, a.Seeds = "2", "single,multi+ssl,pretrain", 2
	a.Steps, a.PretrainSteps, a.Batch, a.SSLBatch, a.SSLLen = 2, 1, 2, 1, 200
	a.Crop, a.Channels, a.Dilations, a.EvalMax = 1000, 4, "1,2", 20
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAudioEndToEnd(t *testing.T) {
	c := tinyAudio(t)
	l, err := lab.New(lab.Params{RunsDir: c.Lab.RunsDir, Experiments: []lab.Experiment{experiments.Audio{}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Start(context.Background(), lab.Spec{Experiment: "audio", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Done():
	case <-time.After(3 * time.Minute):
		t.Fatal("audio run did not end")
	}
	if info := r.Info(); info.Status != lab.StatusFinished {
		t.Fatalf("status %v: %+v", info.Status, info)
	}
	evs, _ := r.Since(0)
	points, tables, rated, steps := 0, 0, 0, 0
	for _, ev := range evs {
		switch b := ev.Body.(type) {
		case lab.StepMetrics:
			steps++
			if b.SamplesPerSec > 0 && !math.IsInf(b.SamplesPerSec, 0) {
				rated++
			}
		case lab.Point:
			points++
		case lab.Table:
			tables++
			if len(b.Rows) > 3*3 {
				t.Errorf("table has %d rows, more than 3 conditions × 3 tasks", len(b.Rows))
			}
			for _, row := range b.Rows { // tables sent after the first seed have no spread yet
				if cells := strings.Join(row, " | "); strings.Contains(cells, "NaN") {
					t.Errorf("table row shows NaN: %s", cells)
				}
			}
		}
	}
	if points == 0 || tables == 0 {
		t.Errorf("%d points and %d tables emitted", points, tables)
	}
	if steps == 0 || rated != steps {
		t.Errorf("%d of %d step metrics carry a finite, positive clips/s rate", rated, steps)
	}
	raw, err := os.ReadFile(filepath.Join(r.Dir(), "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Regimes map[string]map[string]map[string]struct {
			Acc   []float64 `json:"acc"`
			Gains []float64 `json:"gains"`
		} `json:"regimes"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	for _, cond := range []string{"single", "multi+ssl", "pretrain"} {
		for _, task := range []string{"keyword", "speaker", "instrument"} {
			cell := res.Regimes["2"][cond][task]
			if len(cell.Acc) != 2 {
				t.Errorf("%s/%s: %d accuracies, want 2 seeds", cond, task, len(cell.Acc))
			}
			if cond != "single" && len(cell.Gains) != 2 {
				t.Errorf("%s/%s: %d paired gains, want 2", cond, task, len(cell.Gains))
			}
		}
	}
}

// TestAudioDir runs the experiment on a folder of WAVs laid out like Speech Commands, and checks
// that a bad file stops it with an error naming the file.
func TestAudioDir(t *testing.T) {
	dir := t.TempDir()
	var n int
	for _, label := range []string{"yes", "no"} {
		os.MkdirAll(filepath.Join(dir, label), 0o755)
		for i := 0; i < 6; i++ {
			f := filepath.Join(dir, label, fmt.Sprintf("spk%d_nohash_%d.wav", i, n))
			n++
			if err := os.WriteFile(f, toneWAV(100+float64(len(label))*200, i), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "testing_list.txt"), []byte("yes/spk0_nohash_0.wav\nno/spk0_nohash_6.wav\n"), 0o644)
	run := func(regimes string) *lab.Run {
		c := tinyAudio(t)
		c.Audio.AudioDir = dir
		c.Audio.Conditions = "single,multi+ssl"
		c.Audio.Regimes = regimes
		l, err := lab.New(lab.Params{RunsDir: c.Lab.RunsDir, Experiments: []lab.Experiment{experiments.Audio{}}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := l.Start(context.Background(), lab.Spec{Experiment: "audio", Config: c})
		if err != nil {
			t.Fatal(err)
		}
		<-r.Done()
		return r
	}
	if info := run("2").Info(); info.Status != lab.StatusFinished {
		t.Fatalf("status %v: %s", info.Status, info.Reason)
	}
	// 5 train clips per class: a regime of 50 is refused before anything trains.
	r := run("2,50")
	if info := r.Info(); info.Status != lab.StatusFailed || !strings.Contains(info.Reason, "fewer than the 50") {
		t.Errorf("regime 50 of 5 clips: status %v, reason %q; want a failure before training", info.Status, info.Reason)
	}
	evs, _ := r.Since(0)
	for _, ev := range evs {
		if _, ok := ev.Body.(lab.StepMetrics); ok {
			t.Fatal("a run with an impossible regime trained before failing")
		}
	}
	os.WriteFile(filepath.Join(dir, "no", "stereo.wav"), append(toneWAV(300, 0)[:22], 2, 0), 0o644)
	if info := run("2").Info(); info.Status != lab.StatusFailed || !strings.Contains(info.Reason, "stereo.wav") {
		t.Errorf("bad file: status %v, reason %q; want a failure naming stereo.wav", info.Status, info.Reason)
	}
}

// toneWAV is a 16-bit mono 8 kHz WAV of 0.5 s of a tone at f Hz with phase from i.
func toneWAV(f float64, i int) []byte {
	const n = 4000
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], 2*n)
	for j := 0; j < n; j++ {
		v := 0.5 * math.Sin(2*math.Pi*f*float64(j)/8000+float64(i))
		binary.LittleEndian.PutUint16(b[44+2*j:], uint16(int16(v*32767)))
	}
	return b
}
