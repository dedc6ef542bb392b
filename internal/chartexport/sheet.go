package chartexport

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"unicode"

	"github.com/logitlab/logitlab/lab"
)

// maxCellRunes is the most characters of a table cell a PNG shows; longer cells end in "…".
const maxCellRunes = 40

// tableCanvas draws a Table as a grid of text: the header on a grey band, a rule under each row,
// numbers right-aligned, the note under the table. The image is as large as the text needs (at
// most maxSide a side: cells are cut shorter, then rows that do not fit are counted instead).
func tableCanvas(t lab.Table, o Options) *canvas {
	w0, _ := o.size()
	m := metricsFor(w0)
	cw := (glyphW + 1) * m.s
	ncol := len(t.Columns)
	for _, r := range t.Rows {
		ncol = max(ncol, len(r))
	}
	cell := func(r []string, j int) string {
		if j < len(r) {
			return strings.Join(strings.Fields(r[j]), " ")
		}
		return ""
	}
	var widths []int
	total := 0
	for limit := maxCellRunes; ; limit = limit * 3 / 4 {
		widths = make([]int, ncol)
		total = 0
		for j := range ncol {
			widths[j] = textWidth(fitText(cell(t.Columns, j), limit*cw, m.s), m.s)
			for _, r := range t.Rows {
				widths[j] = max(widths[j], textWidth(fitText(cell(r, j), limit*cw, m.s), m.s))
			}
			widths[j] += 2 * cw
			total += widths[j]
		}
		if total+2*m.pad <= maxSide || limit <= 6 {
			break
		}
	}
	rowH := m.lineH + 2*m.s
	title := o.title(t.Name) + fmt.Sprintf(" · step %d", t.Step)
	w := min(max(total+2*m.pad, textWidth(title, m.s)+2*m.pad, textWidth(t.Note, m.s)+2*m.pad, minSide), maxSide)
	rows := t.Rows
	fixed := 2*m.pad + m.lineH + m.pad + rowH + m.lineH + 2*m.pad
	hidden := 0
	if fit := (maxSide - fixed - rowH) / rowH; len(rows) > fit {
		hidden = len(rows) - fit
		rows = rows[:fit]
	}
	h := fixed + len(rows)*rowH + m.lineH*min(hidden, 1)
	c := newCanvas(w, h)
	c.bold(m.pad, m.pad, fitText(title, w-2*m.pad, m.s), m.s, inkText)
	y := m.pad + m.lineH + m.pad
	drawRow := func(r []string, header bool) {
		if header {
			c.fill(image.Rect(m.pad, y, m.pad+total, y+rowH), inkShade)
		}
		x := m.pad
		for j := range ncol {
			txt := fitText(cell(r, j), widths[j]-2*cw, m.s)
			tx := x + cw
			if !header && looksNumeric(txt) {
				tx = x + widths[j] - cw - textWidth(txt, m.s)
			}
			if header {
				c.bold(tx, y+2*m.s, txt, m.s, inkText)
			} else {
				c.text(tx, y+2*m.s, txt, m.s, inkText)
			}
			x += widths[j]
		}
		y += rowH
		c.fill(image.Rect(m.pad, y-1, m.pad+total, y), inkGrid)
	}
	drawRow(t.Columns, true)
	for _, r := range rows {
		drawRow(r, false)
	}
	if hidden > 0 {
		c.text(m.pad, y+m.s, fmt.Sprintf("… %d more rows (all of them are in the CSV)", hidden), m.s, inkDim)
		y += m.lineH
	}
	if t.Note != "" {
		c.text(m.pad, y+m.pad/2, fitText(t.Note, w-2*m.pad, m.s), m.s, inkDim)
	}
	return c
}

// looksNumeric reports whether a cell reads as a number ("91.2 ± 0.3", "-0.4", "12%").
func looksNumeric(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !strings.ContainsRune(" .,+-±%eE", r) {
			return false
		}
	}
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

// Gallery limits: a cell is at least minCell pixels on its longer side (small images are scaled
// up by an integer factor), and a gallery PNG holds at most maxGalleryPixels pixels.
const (
	minCell          = 96
	maxGalleryPixels = 1 << 26
)

// errGalleryTooLarge is returned for a gallery whose PNG would exceed maxGalleryPixels.
var errGalleryTooLarge = errors.New("chartexport: gallery too large to draw as one PNG; export its CSV instead")

// galleryCanvas draws an Images gallery as a grid, each image scaled up by an integer factor to
// at least minCell pixels, its caption under it. Grey (C=1) and RGB (C=3, planes in C×H×W order)
// images are drawn as such (other channel counts as the grey of the first channel); pixel values
// are clamped to [0, 1], non-finite ones are magenta. An item whose pixel count is not C·H·W is a
// crossed box.
func galleryCanvas(g lab.Images, o Options) (*canvas, error) {
	w0, _ := o.size()
	m := metricsFor(w0)
	title := o.title(g.Name) + fmt.Sprintf(" · step %d", g.Step)
	n := len(g.Items)
	if n == 0 || g.H <= 0 || g.W <= 0 || g.C <= 0 {
		c := newCanvas(max(w0/2, minSide), minSide/2)
		c.bold(m.pad, m.pad, fitText(title, c.img.Rect.Dx()-2*m.pad, m.s), m.s, inkText)
		c.text(m.pad, m.pad+2*m.lineH, "no images", m.s, inkDim)
		return c, nil
	}
	if g.H > maxSide || g.W > maxSide {
		return nil, fmt.Errorf("gallery %q: %d×%d images: %w", g.Name, g.H, g.W, errGalleryTooLarge)
	}
	k := max(1, (minCell+max(g.H, g.W)-1)/max(g.H, g.W))
	iw, ih := g.W*k, g.H*k
	capScale := 1
	gap := 2 * m.pad
	cellW := max(iw, 12*(glyphW+1))
	cols := max(1, min(n, (w0-2*m.pad+gap)/(cellW+gap)))
	rows := (n + cols - 1) / cols
	capH := (glyphH + 3) * capScale
	w := max(2*m.pad+cols*cellW+(cols-1)*gap, textWidth(title, m.s)+2*m.pad, minSide)
	h := m.pad + m.lineH + m.pad + rows*(ih+capH+gap) + m.pad
	if int64(w)*int64(h) > maxGalleryPixels {
		return nil, fmt.Errorf("gallery %q: %d images of %d×%d: %w", g.Name, n, g.H, g.W, errGalleryTooLarge)
	}
	c := newCanvas(w, h)
	c.bold(m.pad, m.pad, fitText(title, w-2*m.pad, m.s), m.s, inkText)
	for i, it := range g.Items {
		x0 := m.pad + (i%cols)*(cellW+gap) + (cellW-iw)/2
		y0 := m.pad + m.lineH + m.pad + (i/cols)*(ih+capH+gap)
		drawImage(c, g, it, x0, y0, k)
		lbl := fitText(strings.Join(strings.Fields(it.Caption), " "), cellW, capScale)
		c.text(m.pad+(i%cols)*(cellW+gap)+(cellW-textWidth(lbl, capScale))/2, y0+ih+2, lbl, capScale, inkText)
	}
	return c, nil
}

// drawImage paints one gallery item at (x0, y0), each pixel as a k×k block.
func drawImage(c *canvas, g lab.Images, it lab.ImageItem, x0, y0, k int) {
	box := image.Rect(x0, y0, x0+g.W*k, y0+g.H*k)
	plane := g.H * g.W
	if g.C > 4 || len(it.Pixels) != g.C*plane {
		c.rect(box, inkDim)
		c.line(float64(box.Min.X), float64(box.Min.Y), float64(box.Max.X-1), float64(box.Max.Y-1), 1, inkDim)
		c.line(float64(box.Min.X), float64(box.Max.Y-1), float64(box.Max.X-1), float64(box.Min.Y), 1, inkDim)
		return
	}
	level := func(v float32) (uint8, bool) {
		f := float64(v)
		if !finite(f) {
			return 0, false
		}
		return uint8(math.Round(255 * math.Min(math.Max(f, 0), 1))), true
	}
	for y := range g.H {
		for x := range g.W {
			i := y*g.W + x
			var col color.RGBA
			r, ok := level(it.Pixels[i])
			col = color.RGBA{r, r, r, 0xff}
			if g.C == 3 {
				gg, ok2 := level(it.Pixels[plane+i])
				bb, ok3 := level(it.Pixels[2*plane+i])
				col, ok = color.RGBA{r, gg, bb, 0xff}, ok && ok2 && ok3
			}
			if !ok {
				col = inkBad
			}
			c.fill(image.Rect(x0+x*k, y0+y*k, x0+(x+1)*k, y0+(y+1)*k), col)
		}
	}
}
