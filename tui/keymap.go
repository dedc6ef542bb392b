package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key the run view answers to. The `?` overlay and the bottom help line are
// generated from it, so a binding's help text is its only documentation. The launcher and the
// steering form are modal and use fixed keys (arrows, enter, esc, 1, 2), listed on their own screens.
type keyMap struct {
	Up, Down      key.Binding
	Pause, Stop   key.Binding
	Checkpoint    key.Binding
	LRUp, LRDown  key.Binding
	Steer         key.Binding
	NewRun        key.Binding
	Smooth, LogY  key.Binding
	Next, Prev    key.Binding // pane focus
	Zoom          key.Binding
	Older, Newer  key.Binding // step through a histogram's epochs
	Export        key.Binding // the focused pane as PNG and CSV (export.go); not in tui.keys yet
	Help, Quit    key.Binding
	Confirm, Deny key.Binding // answers to the stop confirmation (not remappable)
	// Compare mode and the run filter (compare.go, filter.go); not in tui.keys yet: a remap that
	// uses one of their keys takes it from them (keyMap.yieldFixed).
	Compare, Mark, Pin, Filter key.Binding
}

// action is one remappable binding and the name tui.keys calls it by.
type action struct {
	name string
	b    *key.Binding
}

// actions lists the remappable bindings of k in help order. The names are the ones the tui.keys
// setting uses; its help text in internal/config lists them too (a test keeps the two in step).
func (k *keyMap) actions() []action {
	return []action{
		{"up", &k.Up}, {"down", &k.Down},
		{"pause", &k.Pause}, {"stop", &k.Stop}, {"checkpoint", &k.Checkpoint},
		{"lr_up", &k.LRUp}, {"lr_down", &k.LRDown}, {"steer", &k.Steer}, {"new", &k.NewRun},
		{"smooth", &k.Smooth}, {"logy", &k.LogY},
		{"next", &k.Next}, {"prev", &k.Prev}, {"zoom", &k.Zoom}, {"older", &k.Older}, {"newer", &k.Newer},
		{"help", &k.Help}, {"quit", &k.Quit},
	}
}

// defaultKeyMap is the key map before any remap.
func defaultKeyMap() keyMap {
	return keyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous run")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next run")),
		Pause:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Stop:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop run")),
		Checkpoint: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "checkpoint now")),
		LRUp:       key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "lr ×2")),
		LRDown:     key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "lr ÷2")),
		Steer:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "steer settings")),
		NewRun:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new run")),
		Smooth:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "smoothing")),
		LogY:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log-y")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("⇧tab", "previous pane")),
		Zoom:       key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom pane")),
		Older:      key.NewBinding(key.WithKeys("["), key.WithHelp("[", "older histogram")),
		Newer:      key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "newer histogram")),
		Export:     key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "export chart")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Confirm:    key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "confirm")),
		Deny:       key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "cancel")),
		Compare:    key.NewBinding(key.WithKeys("v", "C"), key.WithHelp("v", "compare runs")),
		Mark:       key.NewBinding(key.WithKeys("space", "m"), key.WithHelp("spc", "mark run")),
		Pin:        key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pin run")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter runs")),
	}
}

// newKeyMap builds the key map with the remaps of spec (a tui.keys value, see CheckKeys) applied.
// canNew disables `n` (and hides it from help) when the session has no way to start runs. When
// spec is invalid it returns the default map with the error.
func newKeyMap(canNew bool, spec string) (keyMap, error) {
	k := defaultKeyMap()
	remaps, err := parseKeys(spec)
	if err == nil {
		err = k.remap(remaps)
	}
	if err != nil {
		k = defaultKeyMap()
	}
	k.NewRun.SetEnabled(canNew)
	k.yieldFixed()
	return k, err
}

// ShortHelp is the bottom help line (help.KeyMap), worded tersely so that it fits 120 columns.
func (k keyMap) ShortHelp() []key.Binding {
	lr := key.NewBinding(key.WithKeys("+", "-"), key.WithHelp(k.LRUp.Help().Key+"/"+k.LRDown.Help().Key, "lr ×2/÷2"))
	pause, stop, next, zoom, steer := k.Pause, k.Stop, k.Next, k.Zoom, k.Steer
	pause.SetHelp(pause.Help().Key, "pause")
	stop.SetHelp(stop.Help().Key, "stop")
	next.SetHelp(next.Help().Key, "pane")
	zoom.SetHelp(zoom.Help().Key, "zoom")
	steer.SetHelp(steer.Help().Key, "steer")
	return []key.Binding{pause, stop, lr, steer, k.Smooth, k.LogY, next, zoom, k.NewRun, k.Help, k.Quit}
}

// FullHelp is the `?` overlay, one column per group (help.KeyMap).
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.NewRun, k.Compare, k.Mark, k.Pin, k.Filter},
		{k.Pause, k.Stop, k.Checkpoint, k.LRUp, k.LRDown, k.Steer},
		{k.Next, k.Prev, k.Zoom, k.Older, k.Newer, k.Export},
		{k.Smooth, k.LogY, k.Help, k.Quit},
	}
}
