package experiments

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/models"
)

// audioCond is one training condition of the audio experiment.
type audioCond struct {
	Name      string
	Single    bool             // each supervised task trained alone (one training per task)
	SSL       []models.SSLKind // self-supervised tasks trained jointly (or first, with Pretrain)
	Aug       bool             // augment labelled clips
	Pretrain  bool             // SSL first, then fine-tune on the supervised tasks
	SSLWeight float64
}

var allSSL = []models.SSLKind{models.SSLNext, models.SSLDenoise, models.SSLUpsample}

// parseAudioConds expands the condition names; conditions with self-supervision are repeated
// once per SSL weight (named "<cond>@<w>" when there are several weights).
func parseAudioConds(names string, weights []float64) ([]audioCond, error) {
	var out []audioCond
	for _, name := range audioSplit(names) {
		c := audioCond{Name: name}
		switch name {
		case "single":
			c.Single = true
		case "single+aug":
			c.Single, c.Aug = true, true
		case "multi":
		case "multi+aug":
			c.Aug = true
		case "multi+ssl":
			c.SSL = allSSL
		case "multi+ssl+aug":
			c.SSL, c.Aug = allSSL, true
		case "multi+next", "multi+denoise", "multi+upsample":
			c.SSL = []models.SSLKind{models.SSLKind(strings.TrimPrefix(name, "multi+"))}
		case "pretrain":
			c.SSL, c.Pretrain = allSSL, true
		default:
			return nil, fmt.Errorf("audio.conditions: unknown condition %q: choose from single, single+aug, multi, multi+aug, "+
				"multi+ssl, multi+ssl+aug, multi+next, multi+denoise, multi+upsample, pretrain", name)
		}
		if slices.ContainsFunc(out, func(o audioCond) bool { return o.Name == name }) {
			return nil, fmt.Errorf("audio.conditions: %q is listed twice", name)
		}
		if len(c.SSL) == 0 {
			out = append(out, c)
			continue
		}
		for _, w := range weights {
			cw := c
			cw.SSLWeight = w
			if len(weights) > 1 {
				cw.Name = fmt.Sprintf("%s@%g", name, w)
			}
			out = append(out, cw)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("audio.conditions is empty")
	}
	return out, nil
}

func audioSplit(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func audioInts(key, s string, lo int) ([]int, error) {
	var out []int
	for _, f := range audioSplit(s) {
		v, err := strconv.Atoi(f)
		if err != nil || v < lo {
			return nil, fmt.Errorf("audio.%s: %q is not an integer >= %d", key, f, lo)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("audio.%s is empty", key)
	}
	return out, nil
}

func audioFloats(key, s string) ([]float64, error) {
	var out []float64
	for _, f := range audioSplit(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v >= 0) || v > 1e6 {
			return nil, fmt.Errorf("audio.%s: %q is not a number >= 0", key, f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("audio.%s is empty", key)
	}
	return out, nil
}

// audioPlan is the parsed settings of one run.
type audioPlan struct {
	cfg         config.AudioConfig
	regimes     []int
	conds       []audioCond
	tasks       []string
	taskWeights []float64
	spec        models.WaveNetSpec // heads filled once the data is loaded
}

func newAudioPlan(cfg config.AudioConfig) (*audioPlan, error) {
	p := &audioPlan{cfg: cfg}
	var err error
	if p.regimes, err = audioInts("regimes", cfg.Regimes, 1); err != nil {
		return nil, err
	}
	sslW, err := audioFloats("ssl_weights", cfg.SSLWeights)
	if err != nil {
		return nil, err
	}
	if p.conds, err = parseAudioConds(cfg.Conditions, sslW); err != nil {
		return nil, err
	}
	p.tasks = audioSplit(cfg.Tasks)
	if len(p.tasks) == 0 {
		return nil, fmt.Errorf("audio.tasks is empty")
	}
	if p.taskWeights, err = audioFloats("task_weights", cfg.TaskWeights); err != nil {
		return nil, err
	}
	if len(p.taskWeights) != len(p.tasks) {
		if len(p.taskWeights) < len(p.tasks) {
			return nil, fmt.Errorf("audio.task_weights has %d values for %d tasks (%v)", len(p.taskWeights), len(p.tasks), p.tasks)
		}
		p.taskWeights = p.taskWeights[:len(p.tasks)]
	}
	dil, err := audioInts("dilations", cfg.Dilations, 1)
	if err != nil {
		return nil, err
	}
	if cfg.Crop > 8000 || cfg.SSLLen > 8000 {
		return nil, fmt.Errorf("audio: crop %d and ssl_len %d must be at most 8000 (one second)", cfg.Crop, cfg.SSLLen)
	}
	p.spec = models.WaveNetSpec{Channels: cfg.Channels, Blocks: cfg.Blocks, Dilations: dil, Kernel: 2, SSL: allSSL}
	return p, nil
}
