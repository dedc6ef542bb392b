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
	help     help.Styles
	status   map[lab.Status]lipgloss.Style
	palette  []lipgloss.Style // named series (see series)
}

func newStyles() styles {
	var (
		grey   = lipgloss.Color("#7C7C7C")
		faint  = lipgloss.Color("#5F5F87")
		blue   = lipgloss.Color("#5FAFFF")
		green  = lipgloss.Color("#5FD787")
		yellow = lipgloss.Color("#FFD75F")
		red    = lipgloss.Color("#FF5F5F")
		white  = lipgloss.Color("#EEEEEE")
		accent = lipgloss.Color("#FFAF5F")
	)
	return styles{
		border:   lipgloss.NewStyle().Foreground(grey),
		focus:    lipgloss.NewStyle().Foreground(blue),
		title:    lipgloss.NewStyle().Foreground(white).Bold(true),
		axis:     lipgloss.NewStyle().Foreground(grey),
		lossRaw:  lipgloss.NewStyle().Foreground(faint),
		lossEMA:  lipgloss.NewStyle().Foreground(accent),
		acc:      lipgloss.NewStyle().Foreground(green),
		selected: lipgloss.NewStyle().Reverse(true),
		dim:      lipgloss.NewStyle().Foreground(grey),
		label:    lipgloss.NewStyle().Foreground(grey),
		value:    lipgloss.NewStyle().Foreground(white),
		info:     lipgloss.NewStyle().Foreground(blue),
		warn:     lipgloss.NewStyle().Foreground(yellow),
		err:      lipgloss.NewStyle().Foreground(red).Bold(true),
		helpBox:  lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(blue).Padding(0, 1),
		help:     help.DefaultDarkStyles(),
		status: map[lab.Status]lipgloss.Style{
			lab.StatusRunning:     lipgloss.NewStyle().Foreground(green),
			lab.StatusPaused:      lipgloss.NewStyle().Foreground(yellow),
			lab.StatusFinished:    lipgloss.NewStyle().Foreground(blue),
			lab.StatusFailed:      lipgloss.NewStyle().Foreground(red),
			lab.StatusStopped:     lipgloss.NewStyle().Foreground(grey),
			lab.StatusInterrupted: lipgloss.NewStyle().Foreground(yellow),
		},
		palette: paletteStyles(),
	}
}

// paletteStyles are the colours of named series (extra losses, histogram distributions, point-chart
// lines), chosen to stay apart from each other and from the loss accent.
func paletteStyles() []lipgloss.Style {
	hex := []string{"#5FAFFF", "#FF875F", "#87D75F", "#D787FF", "#FFD75F", "#5FD7D7", "#FF5FAF", "#AFAFAF"}
	out := make([]lipgloss.Style, len(hex))
	for i, h := range hex {
		out[i] = lipgloss.NewStyle().Foreground(lipgloss.Color(h))
	}
	return out
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
