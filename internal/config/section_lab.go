package config

import "time"

// labSection is the [lab] table.
func labSection() (Section, []Param) {
	return Section{"lab", "where runs live and how their logs are written"}, []Param{
		{Section: "lab", Key: "runs_dir", Kind: KindPath, Default: "runs",
			Help:  "where run directories go (relative paths start at the working directory)",
			field: func(c *Config) any { return &c.Lab.RunsDir }},
		{Section: "lab", Key: "flush_every", Kind: KindDuration, Default: time.Second,
			Min: 100 * time.Millisecond, Max: time.Minute,
			Help:  "how often the event log is flushed to the OS; a crash loses at most this much",
			field: func(c *Config) any { return &c.Lab.FlushEvery }},
	}
}
