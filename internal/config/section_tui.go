package config

// tuiSection is the [tui] table.
func tuiSection() (Section, []Param) {
	return Section{"tui", "the terminal interface"}, []Param{
		{Section: "tui", Key: "fps", Kind: KindInt, Default: int64(10),
			Min: int64(1), Max: int64(30),
			Help:  "screen redraws per second at most",
			Live:  true,
			field: func(c *Config) any { return &c.TUI.FPS }},
		{Section: "tui", Key: "smoothing", Kind: KindFloat, Default: 0.6,
			Min: 0.0, Max: 1.0, MaxOpen: true,
			Help:  "EMA weight of the past in the loss chart (0: raw values)",
			Live:  true,
			field: func(c *Config) any { return &c.TUI.Smoothing }},
	}
}
