package experiments

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/logitlab/logitlab/audio"
)

// audioData is the data of one audio run: the set, its tasks, the loudest-window offset of every
// clip, the prepared test inputs per task and the unlabelled pool.
type audioData struct {
	set    *audio.Set
	tasks  []*audio.Task
	offset []int       // per clip: start of the loudest window of crop samples
	testX  [][]float32 // per task: companded test windows, n×crop
	testY  [][]int
	pool   []int // clips usable without labels
	crop   int
}

func loadAudioData(p *audioPlan) (*audioData, error) {
	var set *audio.Set
	var err error
	if p.cfg.AudioDir != "" {
		set, err = audio.ReadDir(p.cfg.AudioDir, audio.DirOptions{})
	} else {
		set, err = audio.Embedded()
	}
	if err != nil {
		return nil, err
	}
	d := &audioData{set: set, crop: p.cfg.Crop, pool: set.UnlabelledPool()}
	if p.cfg.AudioDir != "" {
		// A folder holds one task (keyword): keep the listed tasks it has, with their weights.
		var tasks []string
		var weights []float64
		for k, name := range p.tasks {
			if slices.Contains(set.TaskNames(), name) {
				tasks, weights = append(tasks, name), append(weights, p.taskWeights[k])
			}
		}
		if len(tasks) == 0 {
			return nil, fmt.Errorf("audio.tasks %v: %s has only %v", p.tasks, p.cfg.AudioDir, set.TaskNames())
		}
		p.tasks, p.taskWeights = tasks, weights
	}
	for _, name := range p.tasks {
		t, err := set.Task(name)
		if err != nil {
			return nil, fmt.Errorf("audio.tasks: %w", err)
		}
		d.tasks = append(d.tasks, t)
	}
	d.offset = make([]int, set.N())
	for i := range d.offset {
		d.offset[i] = loudest(set.Clip(i), d.crop)
	}
	buf := make([]float32, audio.ClipLen)
	for k, t := range d.tasks {
		idx := t.Test
		if m := p.cfg.EvalMax; m > 0 && m < len(idx) {
			sub := make([]int, m)
			for j := range sub {
				sub[j] = idx[j*len(idx)/m] // spread over voices and classes
			}
			idx = sub
		}
		rng := rand.New(rand.NewPCG(uint64(p.cfg.Seed), 0x7e57+uint64(k)))
		x := make([]float32, len(idx)*d.crop)
		y := make([]int, len(idx))
		for j, i := range idx {
			copy(buf, set.Clip(i))
			degrade(buf, p.cfg.TestCond, rng)
			audio.CompandInto(x[j*d.crop:(j+1)*d.crop], buf[d.offset[i]:d.offset[i]+d.crop])
			y[j] = t.Label[i]
		}
		d.testX = append(d.testX, x)
		d.testY = append(d.testY, y)
	}
	return d, nil
}

// loudest returns the start of the window of n samples with the most energy, on a 100-sample grid.
func loudest(x []float32, n int) int {
	if n >= len(x) {
		return 0
	}
	cum := make([]float64, len(x)+1)
	for i, v := range x {
		cum[i+1] = cum[i] + float64(v)*float64(v)
	}
	best, bestE := 0, -1.0
	for s := 0; s+n <= len(x); s += 100 {
		if e := cum[s+n] - cum[s]; e > bestE {
			best, bestE = s, e
		}
	}
	return best
}

// degrade applies a test-time condition in place.
func degrade(x []float32, cond string, rng *rand.Rand) {
	switch cond {
	case "noise0":
		audio.AddNoise(x, 0, rng)
	case "noise5":
		audio.AddNoise(x, 5, rng)
	case "noise10":
		audio.AddNoise(x, 10, rng)
	case "bandlimit":
		audio.BandLimit(x, 8)
	case "smear":
		audio.Smear(x, 200, 0.5, rng)
	}
}

// labelledWindow writes the companded training window of clip i into dst, augmenting the whole
// clip first when aug is not nil.
func (d *audioData) labelledWindow(dst []float32, i int, aug *audio.Augment, rng *rand.Rand, buf []float32) {
	src := d.set.Clip(i)
	if aug != nil {
		aug.Apply(buf, src, rng)
		src = buf
	}
	audio.CompandInto(dst, src[d.offset[i]:d.offset[i]+d.crop])
}

// unlabelledWindow picks a window of n samples from the pool with some sound in it (up to 8
// draws; mean square above 1e-4).
func (d *audioData) unlabelledWindow(n int, rng *rand.Rand) []float32 {
	var w []float32
	for range 8 {
		c := d.set.Clip(d.pool[rng.IntN(len(d.pool))])
		s := rng.IntN(len(c) - n + 1)
		w = c[s : s+n]
		var e float64
		for _, v := range w {
			e += float64(v) * float64(v)
		}
		if e/float64(n) > 1e-4 {
			break
		}
	}
	return w
}
