package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key the model answers to. The `?` overlay and the bottom help line are generated
// from it, so a binding's help text is its only documentation.
type keyMap struct {
	Up, Down      key.Binding
	Pause, Stop   key.Binding
	LRUp, LRDown  key.Binding
	NewRun        key.Binding
	Smooth, LogY  key.Binding
	Next, Prev    key.Binding // pane focus
	Zoom          key.Binding
	Older, Newer  key.Binding // step through a histogram's epochs
	Help, Quit    key.Binding
	Confirm, Deny key.Binding // answers to the stop confirmation
}

// newKeyMap builds the key map. canNew disables `n` (and hides it from help) when the session has
// no way to start runs.
func newKeyMap(canNew bool) keyMap {
	k := keyMap{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous run")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next run")),
		Pause:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Stop:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop run")),
		LRUp:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "lr ×2")),
		LRDown:  key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "lr ÷2")),
		NewRun:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new run")),
		Smooth:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "smoothing")),
		LogY:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log-y")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("⇧tab", "previous pane")),
		Zoom:    key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom pane")),
		Older:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "older histogram")),
		Newer:   key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "newer histogram")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Confirm: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "confirm")),
		Deny:    key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "cancel")),
	}
	k.NewRun.SetEnabled(canNew)
	return k
}

// ShortHelp is the bottom help line (help.KeyMap), worded tersely so that it fits 120 columns.
func (k keyMap) ShortHelp() []key.Binding {
	lr := key.NewBinding(key.WithKeys("+", "-"), key.WithHelp("+/-", "lr ×2/÷2"))
	next, zoom := k.Next, k.Zoom
	next.SetHelp("tab", "pane")
	zoom.SetHelp("z", "zoom")
	return []key.Binding{k.Pause, k.Stop, lr, k.Smooth, k.LogY, next, zoom, k.NewRun, k.Help, k.Quit}
}

// FullHelp is the `?` overlay, one column per group (help.KeyMap).
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.NewRun},
		{k.Pause, k.Stop, k.LRUp, k.LRDown},
		{k.Next, k.Prev, k.Zoom, k.Older, k.Newer},
		{k.Smooth, k.LogY, k.Help, k.Quit},
	}
}
