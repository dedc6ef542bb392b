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
		{Section: "tui", Key: "theme", Kind: KindEnum, Default: "dark",
			Choices: []string{"dark", "light", "ascii"},
			Help:    "colours for a dark or a light terminal, or ascii: no colour and ASCII-only characters (a non-empty NO_COLOR forces ascii)",
			field:   func(c *Config) any { return &c.TUI.Theme }},
		{Section: "tui", Key: "keys", Kind: KindString, Default: "",
			Help: "key remaps as comma-separated action=key pairs, several keys split by spaces, e.g. \"pause=p space,stop=x,zoom=z\" " +
				"(actions: up, down, pause, stop, checkpoint, lr_up, lr_down, steer, new, smooth, logy, next, prev, zoom, older, newer, help, quit)",
			field: func(c *Config) any { return &c.TUI.Keys }},
	}
}
