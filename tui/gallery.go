package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/logitlab/logitlab/lab"
)

// Gallery limits: the largest side drawn, how much an image may be enlarged, and the density ramp
// of the ASCII fallback (dark to light).
const (
	maxImageSide = 4096
	maxUpscale   = 4
	asciiRamp    = " .:-=+*#%@"
)

// galleryPane draws an Images gallery: each image in grey, two pixel rows per cell ("▀" with the
// upper pixel as foreground and the lower as background), or with a density ramp when the terminal
// shows no colour (m.ascii), with its caption under it. Images are shrunk (box filter) until all of
// them fit, but not below a quarter of their height; what still does not fit is counted in the
// title. An item whose pixel count does not match C×H×W is drawn as a note in its slot.
func (m *Model) galleryPane(g lab.Images, width, height int) (string, string) {
	title := fmt.Sprintf("%s · step %d · %d images", g.Name, g.Step, len(g.Items))
	if g.C < 1 || g.C > 4 || g.H < 1 || g.W < 1 || g.H > maxImageSide || g.W > maxImageSide || g.C*g.H*g.W > maxImagePixels {
		return title, placeText(width, height, fmt.Sprintf("cannot draw images of shape %d×%d×%d", g.C, g.H, g.W))
	}
	n := len(g.Items)
	if n == 0 {
		return title, placeText(width, height, "no images")
	}
	th0 := (g.H + 1) / 2 // cells of height at full size
	size := func(th int) (tw, capacity int) {
		tw = max(int(math.Round(float64(g.W)*float64(2*th)/float64(g.H))), 1)
		return tw, ((width + 1) / (tw + 1)) * (height / (th + 1))
	}
	best, bestCap := 0, 0
	minTh := max((th0+3)/4, 1)
	for th := th0 * maxUpscale; th >= minTh; th-- {
		if _, c := size(th); c > bestCap {
			best, bestCap = th, c
		}
		if bestCap >= n {
			break
		}
	}
	for th := minTh - 1; th >= 1 && bestCap == 0; th-- { // nothing fits at a quarter: smaller still
		best, bestCap = th, 0
		_, bestCap = size(th)
	}
	if bestCap == 0 {
		return title, placeText(width, height, "too small for images (z to zoom)")
	}
	th := best
	tw, _ := size(th)
	perRow := (width + 1) / (tw + 1)
	shown := min(n, bestCap)
	if shown < n {
		title += fmt.Sprintf(" · %d shown (z)", shown)
	}
	var out []string
	for first := 0; first < shown; first += perRow {
		last := min(first+perRow, shown)
		block := make([]string, th+1)
		for k := first; k < last; k++ {
			cells := m.imageCells(g, g.Items[k], tw, th)
			sep := " "
			if k == first {
				sep = ""
			}
			for r := range th {
				block[r] += sep + cells[r]
			}
			block[th] += sep + m.st.dim.Render(pad(cleanCell(g.Items[k].Caption), tw))
		}
		out = append(out, block...)
	}
	return title, strings.Join(out, "\n")
}

// imageCells draws one item as th lines of tw cells.
func (m *Model) imageCells(g lab.Images, it lab.ImageItem, tw, th int) []string {
	lines := make([]string, th)
	want := g.C * g.H * g.W
	if len(it.Pixels) != want {
		msg := strings.Split(placeText(tw, th, fmt.Sprintf("%d px, want %d", len(it.Pixels), want)), "\n")
		for r := range lines {
			lines[r] = m.st.warn.Render(pad(msg[min(r, len(msg)-1)], tw))
		}
		return lines
	}
	grey := resample(g, it.Pixels, tw, 2*th)
	var b strings.Builder
	for r := range th {
		b.Reset()
		prev := ""
		for c := range tw {
			top, bot := grey[2*r*tw+c], grey[(2*r+1)*tw+c]
			if m.ascii {
				i := int(math.Round((top + bot) / 2 * float64(len(asciiRamp)-1)))
				b.WriteByte(asciiRamp[min(max(i, 0), len(asciiRamp)-1)])
				continue
			}
			t, u := int(math.Round(top*255)), int(math.Round(bot*255))
			sgr := fmt.Sprintf("\x1b[38;2;%d;%d;%d;48;2;%d;%d;%dm", t, t, t, u, u, u)
			if sgr != prev {
				b.WriteString(sgr)
				prev = sgr
			}
			b.WriteString("▀")
		}
		if !m.ascii {
			b.WriteString("\x1b[m")
		}
		lines[r] = b.String()
	}
	return lines
}

// resample returns the grey levels of an image (C×H×W, channel-major) on a tw × tph grid, each the
// mean over the source pixels it covers when shrinking, bilinear between pixel centres when
// enlarging. Grey is the luma 0.299R + 0.587G + 0.114B for 3 channels,
// the channel mean otherwise; non-finite pixels count as 0 and everything is clamped to [0, 1].
func resample(g lab.Images, px []float32, tw, tph int) []float64 {
	hw := g.H * g.W
	lum := func(y, x int) float64 {
		at := func(c int) float64 {
			v := float64(px[c*hw+y*g.W+x])
			if !finite(v) {
				return 0
			}
			return math.Min(math.Max(v, 0), 1)
		}
		if g.C == 3 {
			return 0.299*at(0) + 0.587*at(1) + 0.114*at(2)
		}
		s := 0.0
		for c := range g.C {
			s += at(c)
		}
		return s / float64(g.C)
	}
	out := make([]float64, tw*tph)
	if tph > g.H || tw > g.W { // enlarging: bilinear between pixel centres
		at := func(y, x int) float64 { return lum(min(max(y, 0), g.H-1), min(max(x, 0), g.W-1)) }
		for ty := range tph {
			fy := (float64(ty)+0.5)*float64(g.H)/float64(tph) - 0.5
			y0, wy := int(math.Floor(fy)), fy-math.Floor(fy)
			for tx := range tw {
				fx := (float64(tx)+0.5)*float64(g.W)/float64(tw) - 0.5
				x0, wx := int(math.Floor(fx)), fx-math.Floor(fx)
				top := (1-wx)*at(y0, x0) + wx*at(y0, x0+1)
				bot := (1-wx)*at(y0+1, x0) + wx*at(y0+1, x0+1)
				out[ty*tw+tx] = (1-wy)*top + wy*bot
			}
		}
		return out
	}
	for ty := range tph {
		y0 := ty * g.H / tph
		y1 := max((ty+1)*g.H/tph, y0+1)
		for tx := range tw {
			x0 := tx * g.W / tw
			x1 := max((tx+1)*g.W/tw, x0+1)
			s, n := 0.0, 0
			for y := y0; y < y1 && y < g.H; y++ {
				for x := x0; x < x1 && x < g.W; x++ {
					s += lum(y, x)
					n++
				}
			}
			if n > 0 {
				out[ty*tw+tx] = s / float64(n)
			}
		}
	}
	return out
}
