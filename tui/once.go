package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Snapshot renders one frame of the run view of run id (the newest run when id is "") at exactly
// width × height cells, as plain text: no escape sequences, and each line's trailing blanks cut.
// With p.Theme ThemeASCII (or p.NoColor) the text is ASCII only; otherwise it keeps the Unicode
// box drawing and braille charts of the dark theme. It is `logitlab --once`: a frame for READMEs,
// CI logs and bug reports. p.Lab must hold the run (lab.LoadRuns reads run directories into it).
func Snapshot(p Params, id string, width, height int) (string, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.Start = nil // a snapshot starts nothing, and must not open the launcher
	m := newModel(ctx, p)
	defer m.sub.Close()
	m.width, m.height = width, height
	m.pull()
	if len(m.rows) == 0 {
		return "", fmt.Errorf("tui: no runs in %s to draw", p.Lab.RunsDir())
	}
	if id != "" {
		if _, ok := m.handles[id]; !ok {
			return "", fmt.Errorf("tui: no run %q in %s; `logitlab runs` lists them", id, p.Lab.RunsDir())
		}
		m.selected = id
		m.pullSelected()
	}
	lines := strings.Split(ansi.Strip(m.renderFrame()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n", nil
}
