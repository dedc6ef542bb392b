package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/lab"
)

// Theme names, as the tui.theme setting spells them.
const (
	ThemeDark  = "dark"
	ThemeLight = "light"
	ThemeASCII = "ascii" // no colour, no attributes, ASCII characters only
)

// themeName resolves the theme a model uses: ascii whenever the user set NO_COLOR, else the named
// one, with dark for "" or a name it does not know.
func themeName(name string, noColor bool) string {
	switch {
	case noColor || name == ThemeASCII:
		return ThemeASCII
	case name == ThemeLight:
		return ThemeLight
	}
	return ThemeDark
}

// colours is one theme's palette.
type colours struct {
	grey, faint, blue, green, yellow, red, text, accent string
	series                                              []string // named series (see styles.series)
}

// themeColours returns the palette of a coloured theme.
func themeColours(theme string) colours {
	if theme == ThemeLight {
		return colours{
			grey: "#6C6C6C", faint: "#AFAFD7", blue: "#005FAF", green: "#008700", yellow: "#AF8700",
			red: "#D70000", text: "#1C1C1C", accent: "#D75F00",
			series: []string{"#005FD7", "#D75F00", "#5F8700", "#8700AF", "#AF8700", "#008787", "#D7005F", "#6C6C6C"},
		}
	}
	return colours{
		grey: "#7C7C7C", faint: "#5F5F87", blue: "#5FAFFF", green: "#5FD787", yellow: "#FFD75F",
		red: "#FF5F5F", text: "#EEEEEE", accent: "#FFAF5F",
		series: []string{"#5FAFFF", "#FF875F", "#87D75F", "#D787FF", "#FFD75F", "#5FD7D7", "#FF5FAF", "#AFAFAF"},
	}
}

// newStyles builds the styles of a theme (see themeName). The ascii theme's styles are all plain,
// so a frame drawn with them holds no escape sequence at all.
func newStyles(theme string) styles {
	if theme == ThemeASCII {
		return asciiStyles()
	}
	c := themeColours(theme)
	fg := func(hex string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(hex)) }
	hs := help.DefaultDarkStyles()
	if theme == ThemeLight {
		hs = help.DefaultLightStyles()
	}
	palette := make([]lipgloss.Style, len(c.series))
	for i, h := range c.series {
		palette[i] = fg(h)
	}
	return styles{
		border:   fg(c.grey),
		focus:    fg(c.blue),
		title:    fg(c.text).Bold(true),
		axis:     fg(c.grey),
		lossRaw:  fg(c.faint),
		lossEMA:  fg(c.accent),
		acc:      fg(c.green),
		selected: lipgloss.NewStyle().Reverse(true),
		dim:      fg(c.grey),
		label:    fg(c.grey),
		value:    fg(c.text),
		info:     fg(c.blue),
		warn:     fg(c.yellow),
		err:      fg(c.red).Bold(true),
		helpBox:  lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color(c.blue)).Padding(0, 1),
		cursor:   lipgloss.NewStyle().Reverse(true),
		cursorCh: " ",
		help:     hs,
		status: map[lab.Status]lipgloss.Style{
			lab.StatusRunning:     fg(c.green),
			lab.StatusPaused:      fg(c.yellow),
			lab.StatusFinished:    fg(c.blue),
			lab.StatusFailed:      fg(c.red),
			lab.StatusStopped:     fg(c.grey),
			lab.StatusInterrupted: fg(c.yellow),
		},
		palette: palette,
	}
}

// asciiStyles are the ascii theme's styles: every one plain.
func asciiStyles() styles {
	p := lipgloss.NewStyle()
	return styles{
		border: p, focus: p, title: p, axis: p, lossRaw: p, lossEMA: p, acc: p, selected: p, dim: p,
		label: p, value: p, info: p, warn: p, err: p,
		helpBox:  lipgloss.NewStyle().Border(lipgloss.ASCIIBorder()).Padding(0, 1),
		cursor:   p,
		cursorCh: "_",
		help: help.Styles{Ellipsis: p, ShortKey: p, ShortDesc: p, ShortSeparator: p,
			FullKey: p, FullDesc: p, FullSeparator: p},
		status:  map[lab.Status]lipgloss.Style{},
		palette: []lipgloss.Style{p},
	}
}

// asciify replaces every non-ASCII character of a plain (unstyled) frame by ASCII of the same width,
// so that the ascii theme shows only ASCII whatever the panes drew:
//
//	box drawing   ─ ━ → -,  │ ┊ → |,  corners and joints → +
//	braille       dots only in the top half → ',  only in the bottom half → .,  both → :
//	blocks        ▁▂▃ → .,  ▄▅▆▇ → :,  █ → #,  ▀ → ",  shades ░▒▓ → . : #
//	markers       ▸ → >, ● → *, ‖ → =, ✓ → v, ✗ → x, ■ → #, ▼ → v, … → ~, · → ., × → x, ÷ → /
//
// Letters with an obvious ASCII reading (μ → u, ε → e, α → a, β → b) are spelled so; anything else
// becomes ? (twice for a double-width character, nothing for a zero-width one).
func asciify(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if c, ok := asciiRune(r); ok {
			b.WriteByte(c)
			continue
		}
		switch ansi.StringWidth(string(r)) {
		case 0:
		case 2:
			b.WriteString("??")
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// asciiRune is the one-cell ASCII stand-in for r, when it has one (see asciify).
func asciiRune(r rune) (byte, bool) {
	switch {
	case r >= 0x2800 && r <= 0x28FF: // braille: bits 0,1,3,4 are the top two rows of dots
		bits := r - 0x2800
		top, bottom := bits&0x1B != 0, bits&0xE4 != 0
		switch {
		case top && bottom:
			return ':', true
		case top:
			return '\'', true
		case bottom:
			return '.', true
		}
		return ' ', true
	case r >= 0x2500 && r <= 0x257F:
		return boxRune(r), true
	}
	switch r {
	case '▁', '▂', '▃', '░':
		return '.', true
	case '▄', '▅', '▆', '▇', '▒':
		return ':', true
	case '█', '▓', '■', '▉', '▊', '▋', '▌', '▍', '▎', '▏':
		return '#', true
	case '▀':
		return '"', true
	case '▸', '▶', '→', '›':
		return '>', true
	case '◂', '◀', '←', '‹':
		return '<', true
	case '↑', '⇧', '▲':
		return '^', true
	case '↓', '▼', '✓':
		return 'v', true
	case '●', '•', '∗':
		return '*', true
	case '◆':
		return '+', true
	case '★':
		return '@', true
	case '‖':
		return '=', true
	case '✗', '×':
		return 'x', true
	case '…':
		return '~', true
	case '·':
		return '.', true
	case '÷':
		return '/', true
	case '±':
		return '+', true
	case '–', '—', '−':
		return '-', true
	case 'μ', 'µ':
		return 'u', true
	case 'ε':
		return 'e', true
	case 'α':
		return 'a', true
	case 'β':
		return 'b', true
	case 'σ':
		return 's', true
	case '≈':
		return '~', true
	case '≤':
		return '<', true
	case '≥':
		return '>', true
	}
	return 0, false
}

// boxRune maps a box-drawing character (U+2500–U+257F) to -, | or +.
func boxRune(r rune) byte {
	switch r {
	case '─', '━', '┄', '┅', '┈', '┉', '╌', '╍', '═', '╴', '╶', '╸', '╺', '╼', '╾':
		return '-'
	case '│', '┃', '┆', '┇', '┊', '┋', '╎', '╏', '║', '╵', '╷', '╹', '╻', '╽', '╿':
		return '|'
	}
	return '+'
}
