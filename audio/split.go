package audio

import (
	"fmt"
	"math/rand/v2"
)

// Labelled returns a label-limited training subset of t: perClass clips of each class, drawn from
// t.Train with PCG(seed, 0x1abe1). The same seed gives the same subset, so conditions compared
// at one seed see the same labelled clips (paired seeds). The result lists clip indices grouped
// by class in class order. It returns an error if a class has fewer than perClass train clips.
func (t *Task) Labelled(perClass int, seed uint64) ([]int, error) {
	if perClass < 1 {
		return nil, fmt.Errorf("audio: %d labelled clips per class: want >= 1", perClass)
	}
	byClass := make([][]int, len(t.Classes))
	for _, i := range t.Train {
		c := t.Label[i]
		byClass[c] = append(byClass[c], i)
	}
	rng := rand.New(rand.NewPCG(seed, 0x1abe1))
	var out []int
	for c, idx := range byClass {
		if len(idx) < perClass {
			return nil, fmt.Errorf("audio: task %s class %q has %d train clips, fewer than the %d asked for; lower the labels per class",
				t.Name, t.Classes[c], len(idx), perClass)
		}
		p := rng.Perm(len(idx))
		for _, j := range p[:perClass] {
			out = append(out, idx[j])
		}
	}
	return out, nil
}
