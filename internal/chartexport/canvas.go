package chartexport

import (
	"image"
	"image/color"
	"math"
	"unicode/utf8"
)

// canvas is an RGBA image on a white background with the few drawing operations the charts use.
// Every operation is clipped to clip (the whole image unless a chart narrows it to its plot area),
// so no coordinate, however large, is drawn outside it or loops for long.
type canvas struct {
	img  *image.RGBA
	clip image.Rectangle
}

func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	return &canvas{img: img, clip: img.Rect}
}

// set paints one pixel.
func (c *canvas) set(x, y int, col color.RGBA) {
	if !(image.Point{x, y}).In(c.clip) {
		return
	}
	i := c.img.PixOffset(x, y)
	c.img.Pix[i], c.img.Pix[i+1], c.img.Pix[i+2], c.img.Pix[i+3] = col.R, col.G, col.B, 0xff
}

// blend paints one pixel with col over what is there, with opacity alpha/255.
func (c *canvas) blend(x, y int, col color.RGBA, alpha uint8) {
	if !(image.Point{x, y}).In(c.clip) {
		return
	}
	i := c.img.PixOffset(x, y)
	a, b := uint32(alpha), 255-uint32(alpha)
	p := c.img.Pix[i : i+3 : i+3]
	p[0] = uint8((uint32(col.R)*a + uint32(p[0])*b + 127) / 255)
	p[1] = uint8((uint32(col.G)*a + uint32(p[1])*b + 127) / 255)
	p[2] = uint8((uint32(col.B)*a + uint32(p[2])*b + 127) / 255)
}

// fill paints the rectangle r.
func (c *canvas) fill(r image.Rectangle, col color.RGBA) {
	r = r.Intersect(c.clip)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c.set(x, y, col)
		}
	}
}

// fillBlend paints the rectangle r with opacity alpha/255.
func (c *canvas) fillBlend(r image.Rectangle, col color.RGBA, alpha uint8) {
	r = r.Intersect(c.clip)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c.blend(x, y, col, alpha)
		}
	}
}

// rect outlines r with 1-pixel lines.
func (c *canvas) rect(r image.Rectangle, col color.RGBA) {
	c.fill(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), col)
	c.fill(image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), col)
	c.fill(image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), col)
	c.fill(image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), col)
}

// dot paints a w×w square centred on (x, y).
func (c *canvas) dot(x, y, w int, col color.RGBA) {
	x0, y0 := x-(w-1)/2, y-(w-1)/2
	c.fill(image.Rect(x0, y0, x0+w, y0+w), col)
}

// line draws the segment (x0, y0)–(x1, y1) in w-pixel-wide strokes. The segment is first clipped
// to the canvas's clip rectangle (grown by w), so far-off or huge coordinates cost nothing; a
// segment with a non-finite end is not drawn.
func (c *canvas) line(x0, y0, x1, y1 float64, w int, col color.RGBA) {
	r := c.clip.Inset(-w)
	x0, y0, x1, y1, ok := clipSegment(x0, y0, x1, y1, float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X-1), float64(r.Max.Y-1))
	if !ok {
		return
	}
	ix0, iy0 := int(math.Round(x0)), int(math.Round(y0))
	ix1, iy1 := int(math.Round(x1)), int(math.Round(y1))
	dx, dy := abs(ix1-ix0), -abs(iy1-iy0)
	sx, sy := sign(ix1-ix0), sign(iy1-iy0)
	e := dx + dy
	for {
		c.dot(ix0, iy0, w, col)
		if ix0 == ix1 && iy0 == iy1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			ix0 += sx
		}
		if e2 <= dx {
			e += dx
			iy0 += sy
		}
	}
}

// dashedV draws a vertical dashed line at x from y0 to y1 (dash and gap of n pixels).
func (c *canvas) dashedV(x, y0, y1, n int, col color.RGBA) {
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	for y := max(y0, c.clip.Min.Y-1); y <= min(y1, c.clip.Max.Y); y++ {
		if ((y-y0)/n)%2 == 0 {
			c.set(x, y, col)
			c.set(x+1, y, col)
		}
	}
}

// text draws s with its top-left corner at (x, y), scale image pixels per font pixel, and returns
// the width it took.
func (c *canvas) text(x, y int, s string, scale int, col color.RGBA) int {
	x0 := x
	for _, r := range s {
		g, dy := glyph(r)
		for gy, row := range g {
			yy := y + (gy+dy)*scale
			for gx := 0; gx < glyphW; gx++ {
				if row[gx] == '#' {
					c.fill(image.Rect(x+gx*scale, yy, x+(gx+1)*scale, yy+scale), col)
				}
			}
		}
		x += (glyphW + 1) * scale
	}
	return x - x0
}

// bold draws s twice, one pixel apart.
func (c *canvas) bold(x, y int, s string, scale int, col color.RGBA) int {
	c.text(x+1, y, s, scale, col)
	return c.text(x, y, s, scale, col) + 1
}

// textWidth is the width in pixels of s drawn at scale.
func textWidth(s string, scale int) int {
	return utf8.RuneCountInString(s) * (glyphW + 1) * scale
}

// fitText cuts s with "…" so that it is at most w pixels wide at scale.
func fitText(s string, w, scale int) string {
	if textWidth(s, scale) <= w {
		return s
	}
	rs := []rune(s)
	n := w/((glyphW+1)*scale) - 1
	if n <= 0 {
		return ""
	}
	return string(rs[:min(n, len(rs))]) + "…"
}

// clipSegment clips (x0, y0)–(x1, y1) to the box [xmin, xmax] × [ymin, ymax] (Liang–Barsky). It
// reports false when nothing of the segment is inside or an end is not finite.
func clipSegment(x0, y0, x1, y1, xmin, ymin, xmax, ymax float64) (float64, float64, float64, float64, bool) {
	for _, v := range [4]float64{x0, y0, x1, y1} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, 0, 0, false
		}
	}
	t0, t1 := 0.0, 1.0
	dx, dy := x1-x0, y1-y0
	for _, pq := range [4][2]float64{{-dx, x0 - xmin}, {dx, xmax - x0}, {-dy, y0 - ymin}, {dy, ymax - y0}} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return 0, 0, 0, 0, false
		}
	}
	return x0 + t0*dx, y0 + t0*dy, x0 + t1*dx, y0 + t1*dy, true
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
