package sshserve_test

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// screenOf replays everything a client received on a w×h terminal and returns what it shows,
// one line per row with trailing blanks cut. Bubble Tea's renderer sends only the cells that
// changed, with cursor moves, erasures, insertions and scrolls in between, so looking for a string
// in the raw bytes would miss text drawn piecewise; this tiny emulator handles every sequence that
// renderer (ultraviolet's TerminalRenderer) emits for xterm-like terminals.
func screenOf(out []byte, w, h int) string {
	t := &vt{w: w, h: h, bot: h - 1, autowrap: true}
	t.cells = make([][]string, h)
	for i := range t.cells {
		t.cells[i] = blankRow(w)
	}
	p := ansi.NewParser()
	var state byte
	for len(out) > 0 {
		seq, width, n, ns := ansi.DecodeSequence(out, state, p)
		state = ns
		out = out[n:]
		switch {
		case n == 0:
			return t.String() // cannot happen; guards against an endless loop
		case width > 0:
			t.print(string(seq), width)
		case len(seq) == 1 && seq[0] < 0x20:
			t.control(seq[0])
		case ansi.HasCsiPrefix(seq):
			t.csi(ansi.Cmd(p.Command()), p)
		case len(seq) == 2 && seq[0] == 0x1b:
			t.esc(seq[1])
		}
	}
	return t.String()
}

// vt is the emulator's state: cells hold one grapheme each ("" after a wide one).
type vt struct {
	w, h           int
	cells          [][]string
	x, y           int
	top, bot       int // scroll region, inclusive
	insert         bool
	autowrap       bool
	wrapNext       bool
	savedX, savedY int
	last           string // last printed grapheme, for REP
}

func blankRow(w int) []string {
	r := make([]string, w)
	for i := range r {
		r[i] = " "
	}
	return r
}

func (t *vt) String() string {
	lines := make([]string, t.h)
	for i, r := range t.cells {
		lines[i] = strings.TrimRight(strings.Join(r, ""), " ")
	}
	return strings.Join(lines, "\n")
}

func (t *vt) print(g string, width int) {
	if t.wrapNext && t.autowrap {
		t.x, t.wrapNext = 0, false
		t.lineFeed()
	}
	row := t.cells[t.y]
	if t.insert {
		copy(row[t.x+width:], row[t.x:t.w-width])
	}
	row[t.x] = g
	for i := 1; i < width && t.x+i < t.w; i++ {
		row[t.x+i] = ""
	}
	t.last = g
	t.x += width
	if t.x >= t.w {
		t.x = t.w - 1
		t.wrapNext = true
	}
}

func (t *vt) control(b byte) {
	switch b {
	case '\r':
		t.x, t.wrapNext = 0, false
	case '\n': // as a tty with onlcr shows it (the SSH server's emulated pty sends \r\n anyway)
		t.x = 0
		t.lineFeed()
	case '\v', '\f':
		t.lineFeed()
	case '\b':
		t.move(t.x-1, t.y)
	case '\t':
		t.move(min((t.x/8+1)*8, t.w-1), t.y)
	}
}

func (t *vt) lineFeed() {
	t.wrapNext = false
	switch {
	case t.y == t.bot:
		t.scrollUp(1)
	case t.y < t.h-1:
		t.y++
	}
}

func (t *vt) move(x, y int) {
	t.x, t.y, t.wrapNext = min(max(x, 0), t.w-1), min(max(y, 0), t.h-1), false
}

// scrollUp moves the scroll region's lines up by n, blanking the bottom ones.
func (t *vt) scrollUp(n int) { t.deleteLines(t.top, n) }

// scrollDown moves the scroll region's lines down by n, blanking the top ones.
func (t *vt) scrollDown(n int) { t.insertLines(t.top, n) }

func (t *vt) insertLines(at, n int) {
	for ; n > 0; n-- {
		copy(t.cells[at+1:t.bot+1], t.cells[at:t.bot])
		t.cells[at] = blankRow(t.w)
	}
}

func (t *vt) deleteLines(at, n int) {
	for ; n > 0; n-- {
		copy(t.cells[at:t.bot], t.cells[at+1:t.bot+1])
		t.cells[t.bot] = blankRow(t.w)
	}
}

func (t *vt) erase(y, from, to int) { // cells [from, to) of row y
	for x := max(from, 0); x < min(to, t.w); x++ {
		t.cells[y][x] = " "
	}
}

func (t *vt) csi(cmd ansi.Cmd, p *ansi.Parser) {
	arg := func(i, def int) int {
		v, _ := p.Param(i, def)
		if v == 0 && def == 1 {
			return 1
		}
		return v
	}
	n := arg(0, 1)
	switch cmd.Prefix() {
	case '?':
		for i := range p.Params() {
			mode, _ := p.Param(i, 0)
			set := cmd.Final() == 'h'
			switch mode {
			case 7:
				t.autowrap = set
			case 47, 1047, 1049: // alternate screen: a fresh, blank one
				for y := range t.cells {
					t.cells[y] = blankRow(t.w)
				}
				if mode == 1049 && set {
					t.move(0, 0)
				}
			}
		}
		return
	case 0:
	default:
		return
	}
	if cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case 'A':
		t.move(t.x, t.y-n)
	case 'B', 'e':
		t.move(t.x, t.y+n)
	case 'C', 'a':
		t.move(t.x+n, t.y)
	case 'D':
		t.move(t.x-n, t.y)
	case 'E':
		t.move(0, t.y+n)
	case 'F':
		t.move(0, t.y-n)
	case 'G', '`':
		t.move(n-1, t.y)
	case 'd':
		t.move(t.x, n-1)
	case 'H', 'f':
		t.move(arg(1, 1)-1, n-1)
	case 'I':
		for ; n > 0; n-- {
			t.control('\t')
		}
	case 'Z':
		t.move(max((t.x-1)/8*8-(n-1)*8, 0), t.y)
	case 'J':
		switch arg(0, 0) {
		case 0:
			t.erase(t.y, t.x, t.w)
			for y := t.y + 1; y < t.h; y++ {
				t.erase(y, 0, t.w)
			}
		case 1:
			t.erase(t.y, 0, t.x+1)
			for y := 0; y < t.y; y++ {
				t.erase(y, 0, t.w)
			}
		default:
			for y := 0; y < t.h; y++ {
				t.erase(y, 0, t.w)
			}
		}
	case 'K':
		switch arg(0, 0) {
		case 0:
			t.erase(t.y, t.x, t.w)
		case 1:
			t.erase(t.y, 0, t.x+1)
		default:
			t.erase(t.y, 0, t.w)
		}
	case 'X':
		t.erase(t.y, t.x, t.x+n)
	case 'b':
		for ; n > 0 && t.last != ""; n-- {
			t.print(t.last, 1)
		}
	case '@':
		row := t.cells[t.y]
		n = min(n, t.w-t.x)
		copy(row[t.x+n:], row[t.x:t.w-n])
		t.erase(t.y, t.x, t.x+n)
	case 'P':
		row := t.cells[t.y]
		n = min(n, t.w-t.x)
		copy(row[t.x:], row[t.x+n:])
		t.erase(t.y, t.w-n, t.w)
	case 'L':
		if t.y >= t.top && t.y <= t.bot {
			t.insertLines(t.y, min(n, t.bot-t.y+1))
			t.x = 0
		}
	case 'M':
		if t.y >= t.top && t.y <= t.bot {
			t.deleteLines(t.y, min(n, t.bot-t.y+1))
			t.x = 0
		}
	case 'S':
		t.scrollUp(n)
	case 'T':
		if len(p.Params()) <= 1 {
			t.scrollDown(n)
		}
	case 'r':
		top, bot := arg(0, 1)-1, arg(1, t.h)-1
		if top < bot && bot < t.h {
			t.top, t.bot = top, bot
		} else {
			t.top, t.bot = 0, t.h-1
		}
		t.move(0, 0)
	case 'h', 'l':
		if arg(0, 0) == 4 {
			t.insert = cmd.Final() == 'h'
		}
	case 's':
		t.savedX, t.savedY = t.x, t.y
	case 'u':
		t.move(t.savedX, t.savedY)
	}
}

func (t *vt) esc(b byte) {
	switch b {
	case '7':
		t.savedX, t.savedY = t.x, t.y
	case '8':
		t.move(t.savedX, t.savedY)
	case 'D':
		t.lineFeed()
	case 'E':
		t.x = 0
		t.lineFeed()
	case 'M':
		if t.y == t.top {
			t.scrollDown(1)
		} else {
			t.move(t.x, t.y-1)
		}
	}
}
