package main

import (
	"testing"

	"github.com/logitlab/logitlab/internal/config"
)

// TestDemoConfigsAreValid: the tour's settings pass the config's own validation and keep what
// the tour's scenes rely on (one seed, no eps sweep, a gallery, the distill variants it names).
func TestDemoConfigsAreValid(t *testing.T) {
	lc, dc, err := demoConfigs(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []config.Config{lc, dc} {
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	if lc.Logits.Seeds != 1 || lc.Logits.SweepEps != "" || lc.Logits.Gallery == 0 {
		t.Errorf("logits demo settings: %+v", lc.Logits)
	}
	if dc.Distill.Variants != "hard,standard,robust,robust:shuffle,robust:swapconf" || dc.Distill.TeacherRun != "" {
		t.Errorf("distill demo settings: %+v", dc.Distill)
	}
}
