package experiments

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// figure is a small line chart exported as PNG: panels side by side (three per row), each with
// axes, ticks, a legend, lines with markers and optional error bars. It is drawn pixel by pixel with
// image/png and the 5×7 font in plotfont.go, so it needs nothing beyond the standard library.
type mtFigure struct {
	Panels []mtPanel
}

type mtPanel struct {
	Title          string
	XLabel, YLabel string
	LogX           bool
	Series         []mtSeries
}

type mtSeries struct {
	Label     string
	X, Y, Err []float64 // Err: half-width of the error bar, or nil
	NoMarkers bool
}

const (
	mtPanelW, mtPanelH                         = 520, 380
	mtMarginL, mtMarginR, mtMarginT, mtMarginB = 64, 14, 44, 44
	mtPerRow                                   = 3
)

var mtPalette = []color.RGBA{
	{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {148, 103, 189, 255},
	{255, 127, 14, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {23, 190, 207, 255},
}

// PNG renders the figure. A figure without panels is one empty panel.
func (f mtFigure) PNG() ([]byte, error) {
	panels := f.Panels
	if len(panels) == 0 {
		panels = []mtPanel{{Title: "no data yet"}}
	}
	cols := min(mtPerRow, len(panels))
	rows := (len(panels) + mtPerRow - 1) / mtPerRow
	img := image.NewRGBA(image.Rect(0, 0, cols*mtPanelW, rows*mtPanelH))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i, p := range panels {
		mtDrawPanel(img, (i%mtPerRow)*mtPanelW, (i/mtPerRow)*mtPanelH, p)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode figure: %w", err)
	}
	return buf.Bytes(), nil
}

func mtDrawPanel(img *image.RGBA, ox, oy int, p mtPanel) {
	x0, y0 := ox+mtMarginL, oy+mtMarginT // top-left of the plot area
	w, h := mtPanelW-mtMarginL-mtMarginR, mtPanelH-mtMarginT-mtMarginB
	black, grey := color.RGBA{0, 0, 0, 255}, color.RGBA{200, 200, 200, 255}
	mtDrawText(img, ox+mtMarginL, oy+4, p.Title, black)
	tx := func(x float64) float64 {
		if p.LogX {
			return math.Log10(x)
		}
		return x
	}
	// Data bounds, NaN and ±Inf skipped (and x ≤ 0 on a log axis).
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		for i := range s.X {
			x, y := tx(s.X[i]), s.Y[i]
			if !mtFinite(x) || !mtFinite(y) {
				continue
			}
			e := 0.0
			if s.Err != nil && mtFinite(s.Err[i]) {
				e = s.Err[i]
			}
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			ymin, ymax = math.Min(ymin, y-e), math.Max(ymax, y+e)
		}
	}
	if !mtFinite(xmin) {
		xmin, xmax, ymin, ymax = 0, 1, 0, 1
	}
	if xmax == xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	if ymax == ymin {
		ymin, ymax = ymin-1, ymax+1
	}
	pad := 0.06 * (ymax - ymin)
	ymin, ymax = ymin-pad, ymax+pad
	xpad := 0.04 * (xmax - xmin)
	xmin, xmax = xmin-xpad, xmax+xpad
	px := func(x float64) int { return x0 + int(math.Round((tx(x)-xmin)/(xmax-xmin)*float64(w))) }
	py := func(y float64) int { return y0 + h - int(math.Round((y-ymin)/(ymax-ymin)*float64(h))) }

	// Grid and ticks.
	for _, t := range mtNiceTicks(ymin, ymax, 6) {
		y := py(t)
		mtHLine(img, x0, x0+w, y, grey)
		lbl := mtTickLabel(t)
		mtDrawText(img, x0-6-mtTextWidth(lbl), y-3, lbl, black)
	}
	var xt []float64
	if p.LogX {
		// The data's own x values when there are few (grid values like 0.158), else the decades.
		seen := map[float64]bool{}
		for _, s := range p.Series {
			for _, x := range s.X {
				if mtFinite(tx(x)) && !seen[x] {
					seen[x] = true
					xt = append(xt, x)
				}
			}
		}
		if len(xt) > 8 {
			xt = xt[:0]
			for e := math.Floor(xmin); e <= math.Ceil(xmax); e++ {
				if e >= xmin && e <= xmax {
					xt = append(xt, math.Pow(10, e))
				}
			}
		}
	} else {
		xt = mtNiceTicks(xmin, xmax, 6)
	}
	for _, t := range xt {
		x := px(t)
		mtVLine(img, x, y0, y0+h, grey)
		lbl := mtTickLabel(t)
		mtDrawText(img, x-mtTextWidth(lbl)/2, y0+h+6, lbl, black)
	}
	if ymin < 0 && ymax > 0 {
		for x := x0; x < x0+w; x += 6 {
			mtHLine(img, x, x+3, py(0), color.RGBA{90, 90, 90, 255})
		}
	}
	// Frame and axis labels.
	mtHLine(img, x0, x0+w, y0, black)
	mtHLine(img, x0, x0+w, y0+h, black)
	mtVLine(img, x0, y0, y0+h, black)
	mtVLine(img, x0+w, y0, y0+h, black)
	mtDrawText(img, x0+w/2-mtTextWidth(p.XLabel)/2, y0+h+24, p.XLabel, black)
	mtDrawText(img, ox+4, oy+16, p.YLabel, black)

	// Series.
	legendX, legendRow := ox+4, 0
	for si, s := range p.Series {
		c := mtPalette[si%len(mtPalette)]
		prevOK := false
		var lx, ly int
		for i := range s.X {
			if !mtFinite(tx(s.X[i])) || !mtFinite(s.Y[i]) {
				prevOK = false
				continue
			}
			x, y := px(s.X[i]), py(s.Y[i])
			if prevOK {
				mtThickLine(img, lx, ly, x, y, c)
			}
			if s.Err != nil && mtFinite(s.Err[i]) && s.Err[i] > 0 {
				top, bot := py(s.Y[i]+s.Err[i]), py(s.Y[i]-s.Err[i])
				mtVLine(img, x, top, bot, c)
				mtHLine(img, x-3, x+3, top, c)
				mtHLine(img, x-3, x+3, bot, c)
			}
			if !s.NoMarkers {
				mtFillRect(img, x-2, y-2, x+2, y+2, c)
			}
			lx, ly, prevOK = x, y, true
		}
		// Legend entry: a row between the y label and the plot; entries that do not fit wrap into
		// the top of the plot area.
		if legendX+18+mtTextWidth(s.Label) > ox+mtPanelW-4 && legendX > ox+4 {
			legendX = ox + 4
			legendRow++
		}
		ly0 := oy + 28
		if legendRow > 0 {
			ly0 = y0 + 4 + 10*(legendRow-1)
		}
		mtThickLine(img, legendX, ly0+3, legendX+14, ly0+3, c)
		mtDrawText(img, legendX+18, ly0, s.Label, black)
		legendX += 18 + mtTextWidth(s.Label) + 14
	}
}

func mtFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// niceTicks returns about n round values covering [lo, hi].
func mtNiceTicks(lo, hi float64, n int) []float64 {
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span/float64(n))))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(step*m) <= float64(n) {
			step *= m
			break
		}
	}
	var out []float64
	for t := math.Ceil(lo/step) * step; t <= hi+1e-9*step; t += step {
		if math.Abs(t) < 1e-9*step {
			t = 0
		}
		out = append(out, t)
	}
	return out
}

func mtTickLabel(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func mtTextWidth(s string) int { return 6 * len([]rune(s)) }

// drawText draws s with its top-left corner at (x, y), 6 pixels per character.
func mtDrawText(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, r := range s {
		g, ok := mtGlyphs[unicode.ToLower(r)]
		if !ok {
			g = [7]string{".....", "#####", "#...#", "#...#", "#...#", "#####", "....."}
		}
		for row, line := range g {
			for col, ch := range line {
				if ch == '#' {
					mtSetPx(img, x+col, y+row, c)
				}
			}
		}
		x += 6
	}
}

func mtSetPx(img *image.RGBA, x, y int, c color.RGBA) {
	if image.Pt(x, y).In(img.Rect) {
		img.SetRGBA(x, y, c)
	}
}

func mtHLine(img *image.RGBA, x1, x2, y int, c color.RGBA) {
	for x := min(x1, x2); x <= max(x1, x2); x++ {
		mtSetPx(img, x, y, c)
	}
}

func mtVLine(img *image.RGBA, x, y1, y2 int, c color.RGBA) {
	for y := min(y1, y2); y <= max(y1, y2); y++ {
		mtSetPx(img, x, y, c)
	}
}

func mtFillRect(img *image.RGBA, x1, y1, x2, y2 int, c color.RGBA) {
	for y := y1; y <= y2; y++ {
		mtHLine(img, x1, x2, y, c)
	}
}

// thickLine draws a 2-pixel line from (x1, y1) to (x2, y2) (Bresenham).
func mtThickLine(img *image.RGBA, x1, y1, x2, y2 int, c color.RGBA) {
	dx, dy := mtAbs(x2-x1), -mtAbs(y2-y1)
	sx, sy := 1, 1
	if x1 > x2 {
		sx = -1
	}
	if y1 > y2 {
		sy = -1
	}
	e := dx + dy
	for {
		mtSetPx(img, x1, y1, c)
		mtSetPx(img, x1+1, y1, c)
		mtSetPx(img, x1, y1+1, c)
		if x1 == x2 && y1 == y2 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x1 += sx
		}
		if e2 <= dx {
			e += dx
			y1 += sy
		}
	}
}

func mtAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// shortFloat formats a grid value for labels ("0.158", "10").
func mtShort(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'g', 4, 64), ".0")
}
