package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/lab"
)

// styles holds every style a model uses. Each model builds its own (no package-level styles), so
// that sessions never share mutable state; lipgloss v2 downsamples colours per program output.
type styles struct {
	border   lipgloss.Style // pane frames
	focus    lipgloss.Style // the frame of the focused pane
	title    lipgloss.Style // pane titles
	axis     lipgloss.Style // chart axes and labels
	lossRaw  lipgloss.Style // raw loss, drawn faint under the smoothed line
	lossEMA  lipgloss.Style // smoothed loss
	acc      lipgloss.Style // test accuracy
	selected lipgloss.Style // the selected row of the run list
	dim      lipgloss.Style // secondary text
	label    lipgloss.Style // status-line labels
	value    lipgloss.Style // status-line values
	info     lipgloss.Style
	warn     lipgloss.Style
	err      lipgloss.Style
	helpBox  lipgloss.Style // the `?` overlay frame
	cursor   lipgloss.Style // the cell after the text being typed (launcher and steering forms)
	cursorCh string         // what that cell shows
	help     help.Styles
	status   map[lab.Status]lipgloss.Style
	palette  []lipgloss.Style // named series (see series)
}

// series returns the style of the named series with palette index i (see extras.color).
func (s styles) series(i int) lipgloss.Style {
	return s.palette[((i%len(s.palette))+len(s.palette))%len(s.palette)]
}

// forStatus returns the style for a run status.
func (s styles) forStatus(st lab.Status) lipgloss.Style {
	if v, ok := s.status[st]; ok {
		return v
	}
	return s.dim
}

// forLevel returns the style for a note level.
func (s styles) forLevel(l noteLevel) lipgloss.Style {
	switch l {
	case levelWarn:
		return s.warn
	case levelError:
		return s.err
	}
	return s.info
}

// statusGlyph is the one-cell mark of a status in the run list.
func statusGlyph(st lab.Status) string {
	switch st {
	case lab.StatusRunning:
		return "●"
	case lab.StatusPaused:
		return "‖"
	case lab.StatusFinished:
		return "✓"
	case lab.StatusFailed:
		return "✗"
	case lab.StatusStopped:
		return "■"
	case lab.StatusInterrupted:
		return "!"
	}
	return "?"
}
