package chartexport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

var update = flag.Bool("update", false, "rewrite testdata/pixels.golden")

// TestPNGSize decodes every chart of the fake Panes run and checks its size: the requested size
// (clamped) for charts on axes, the size the content needs for tables and galleries.
func TestPNGSize(t *testing.T) {
	t.Parallel()
	c := panesCharts()
	for _, tc := range []struct {
		key  string
		o    Options
		w, h int // 0: only checked to be within [minSide/2, maxSide]
	}{
		{"loss", Options{}, 960, 600},
		{"loss", Options{Width: 500, Height: 300, LogY: true}, 500, 300},
		{"loss", Options{Width: 10, Height: 99999}, minSide, maxSide},
		{"acc", Options{}, 960, 600},
		{"hist:max_logit", Options{HistStep: 100}, 960, 600},
		{"points:robust accuracy vs eps", Options{Width: 640, Height: 480}, 640, 480},
		{"table:robustness", Options{}, 0, 0},
		{"images:disagreements", Options{}, 0, 0},
	} {
		t.Run(fmt.Sprintf("%s %dx%d", tc.key, tc.o.Width, tc.o.Height), func(t *testing.T) {
			b := decodePNG(t, c, tc.key, tc.o).Bounds()
			if tc.w > 0 && (b.Dx() != tc.w || b.Dy() != tc.h) {
				t.Errorf("size %d×%d, want %d×%d", b.Dx(), b.Dy(), tc.w, tc.h)
			}
			if b.Dx() < minSide/2 || b.Dy() < minSide/2 || b.Dx() > maxSide || b.Dy() > maxSide {
				t.Errorf("size %d×%d out of bounds", b.Dx(), b.Dy())
			}
		})
	}
}

// TestLinePixels draws loss = step over steps 1…11 and checks that the line's pixels are where the
// frame's scales put the data, and that nothing is drawn far from it.
func TestLinePixels(t *testing.T) {
	t.Parallel()
	var bodies []lab.Body
	for s := int64(1); s <= 11; s++ {
		bodies = append(bodies, lab.StepMetrics{Step: s, Loss: float64(s)})
	}
	c := FromEvents(events(bodies...))
	cv, f, err := c.render("loss", Options{})
	if err != nil {
		t.Fatal(err)
	}
	img := cv.img
	for _, v := range []float64{1.5, 3, 5.25, 8, 10.5} {
		px, _ := f.x.px(v)
		py, _ := f.y.px(v)
		if !near(img, int(math.Round(px)), int(math.Round(py)), 2, inkMain) {
			t.Errorf("no line pixel near (%g, %g) → (%.0f, %.0f)", v, v, px, py)
		}
		// The opposite corner of the plot at the same x holds no line.
		qy, _ := f.y.px(12 - v)
		if math.Abs(qy-py) > 20 && near(img, int(math.Round(px)), int(math.Round(qy)), 2, inkMain) {
			t.Errorf("line pixel at (%g, %g), where there is no data", v, 12-v)
		}
	}
	if f.x.lo != 1 || f.x.hi != 11 {
		t.Errorf("x range [%g, %g], want the steps [1, 11]", f.x.lo, f.x.hi)
	}
}

// TestPointPixels checks a marker and the ends of its error bar.
func TestPointPixels(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(
		lab.Point{Chart: "c", Series: "s", X: 1, Y: 2, Err: 0.5},
		lab.Point{Chart: "c", Series: "s", X: 3, Y: 4},
	))
	cv, f, err := c.render("points:c", Options{})
	if err != nil {
		t.Fatal(err)
	}
	col := seriesColor(0)
	for _, p := range [][2]float64{{1, 2}, {1, 2.5}, {1, 1.5}, {3, 4}, {2, 3}} {
		px, _ := f.x.px(p[0])
		py, _ := f.y.px(p[1])
		if !near(cv.img, int(math.Round(px)), int(math.Round(py)), 1, col) {
			t.Errorf("no series pixel at (%g, %g)", p[0], p[1])
		}
	}
}

// TestHistPixels checks that a bin with counts is filled up to its count and empty above it.
func TestHistPixels(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(lab.Histogram{Name: "h", Step: 1, Edges: []float64{0, 1, 2, 3},
		Series: []lab.HistSeries{{Label: "s", Counts: []int{0, 10, 5}, Mean: nan}}}))
	cv, f, err := c.render("hist:h", Options{})
	if err != nil {
		t.Fatal(err)
	}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	at := func(x, y float64) color.RGBA {
		px, _ := f.x.px(x)
		py, _ := f.y.px(y)
		return rgba(cv.img, int(math.Round(px)), int(math.Round(py)))
	}
	if got := at(1.3, 5); got == white || got == inkGrid {
		t.Errorf("inside bin 1 below its count: %v, want the series' fill", got)
	}
	if got := at(2.3, 7); got != white && got != inkGrid {
		t.Errorf("inside bin 2 above its count: %v, want background", got)
	}
	if got, top := at(1.5, 10), seriesColor(0); !near(cv.img, int(math.Round(f.x.p0+(f.x.p1-f.x.p0)*0.5)), int(math.Round(mustPx(f.y, 10))), 2, top) {
		t.Errorf("no outline at the top of bin 1 (pixel %v)", got)
	}
}

func mustPx(a axisScale, v float64) float64 {
	p, _ := a.px(v)
	return p
}

// TestBarPixels checks that a bar reaches its value and no further.
func TestBarPixels(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(lab.Bars{Chart: "b", Groups: []string{"g"}, Series: []lab.BarSeries{{Label: "s", Values: []float64{0.5}}}}))
	cv, f, err := c.render("bars:b", Options{})
	if err != nil {
		t.Fatal(err)
	}
	py, _ := f.y.px(0.3) // above the text, inside the bar's slot
	col := seriesColor(0)
	if got := rgba(cv.img, int(mustPx(f.x, 0.25)), int(py)); got != col {
		t.Errorf("bar at 0.25: %v, want %v", got, col)
	}
	if got := rgba(cv.img, int(mustPx(f.x, 0.9)), int(py)); got == col {
		t.Errorf("bar drawn past its value at 0.9")
	}
}

// TestGalleryPixels checks that each image pixel becomes a k×k block of its grey level (or magenta
// for NaN), and that an RGB image keeps its colours.
func TestGalleryPixels(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(
		lab.Images{Name: "g", C: 1, H: 2, W: 2, Items: []lab.ImageItem{{Caption: "a", Pixels: []float32{0, 0.5, float32(nan), 2}}}},
		lab.Images{Name: "rgb", C: 3, H: 1, W: 2, Items: []lab.ImageItem{{Pixels: []float32{1, 0, 0, 1, 0, 0}}}},
	))
	k := minCell / 2 // 2-pixel-wide images are scaled by 48
	img := decodePNG(t, c, "images:g", Options{})
	for _, tc := range []struct {
		name string
		col  color.RGBA
	}{{"black (0)", color.RGBA{0, 0, 0, 0xff}}, {"grey (0.5)", color.RGBA{128, 128, 128, 0xff}}, {"NaN", inkBad}} {
		if n := count(img, tc.col); n != k*k {
			t.Errorf("%s: %d pixels, want %d", tc.name, n, k*k)
		}
	}
	img = decodePNG(t, c, "images:rgb", Options{})
	if n := count(img, color.RGBA{0xff, 0, 0, 0xff}); n != k*k {
		t.Errorf("red: %d pixels, want %d", n, k*k)
	}
	if n := count(img, color.RGBA{0, 0xff, 0, 0xff}); n != k*k {
		t.Errorf("green: %d pixels, want %d", n, k*k)
	}
}

// TestNonFinite draws charts whose data is NaN, ±Inf or huge: each renders (no panic, no hang),
// and no non-finite value sets an axis bound.
func TestNonFinite(t *testing.T) {
	t.Parallel()
	c := FromEvents(events(
		lab.StepMetrics{Step: 1, Loss: nan, Series: map[string]float64{"x": pinf}},
		lab.StepMetrics{Step: 2, Loss: 1e300},
		lab.StepMetrics{Step: 3, Loss: -1e300},
		lab.StepMetrics{Step: 4, Loss: 1},
		lab.EpochSummary{Step: 1, TestAcc: nan},
		lab.Point{Chart: "p", Series: "s", X: pinf, Y: 1},
		lab.Point{Chart: "p", Series: "s", X: 1, Y: nan, Err: pinf},
		lab.Point{Chart: "p", Series: "s", X: 2, Y: 1, Err: nan},
		lab.Histogram{Name: "h", Edges: []float64{nan, 1}, Series: []lab.HistSeries{{Label: "s", Counts: []int{-3, 5}, Mean: pinf}}},
		lab.Histogram{Name: "empty"},
		lab.Bars{Chart: "b", Groups: []string{"g", "h"}, Series: []lab.BarSeries{{Label: "s", Values: []float64{nan, pinf}, Err: []float64{pinf}}}},
		lab.Bars{Chart: "none"},
		lab.Images{Name: "bad", C: 1, H: 2, W: 2, Items: []lab.ImageItem{{Pixels: []float32{1}}}},
		lab.Images{Name: "none"},
		lab.Table{Name: "empty"},
	))
	for _, key := range c.Keys() {
		for _, o := range []Options{{}, {LogY: true, Smooth: 0.9, Width: 240, Height: 240}} {
			cv, f, err := c.render(key, o)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			if cv.img.Bounds().Empty() {
				t.Errorf("%s: empty image", key)
			}
			if f != nil {
				for _, v := range []float64{f.x.lo, f.x.hi, f.y.lo, f.y.hi} {
					if !finite(v) || math.Abs(v) > 1e33 { // a log axis pads 1e30 by a few decades' fraction
						t.Errorf("%s %+v: axis bound %g", key, o, v)
					}
				}
			}
		}
	}
}

// TestGolden renders every chart of the fake Panes run and compares a SHA-256 of its pixels with
// testdata/pixels.golden (rewrite it with -update after an intended change, and look at the
// PNGs). It also checks that rendering twice gives the same PNG bytes.
func TestGolden(t *testing.T) {
	c := panesCharts()
	var lines []string
	for _, key := range c.Keys() {
		for _, o := range []Options{{}, {LogY: true, Smooth: 0.6, Title: "run-1", Width: 480, Height: 320}} {
			img, err := c.Image(key, o)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(img.Pix)
			lines = append(lines, fmt.Sprintf("%s %dx%d logy=%t %s", key, img.Rect.Dx(), img.Rect.Dy(), o.LogY, hex.EncodeToString(sum[:])))
			var a, b bytes.Buffer
			if err := c.WritePNG(&a, key, o); err != nil {
				t.Fatal(err)
			}
			if err := c.WritePNG(&b, key, o); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s: two renderings differ", key)
			}
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "pixels.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (create it with go test ./internal/chartexport -run TestGolden -update): %v", path, err)
	}
	if got != string(want) {
		t.Errorf("pixels differ from %s (run with -update if the change is intended):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestClipSegment checks the line clipper on segments inside, crossing, outside and non-finite.
func TestClipSegment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		x0, y0, x1, y1 float64
		ok             bool
		want           [4]float64
	}{
		{"inside", 1, 1, 5, 5, true, [4]float64{1, 1, 5, 5}},
		{"crossing the box", -10, 5, 20, 5, true, [4]float64{0, 5, 10, 5}},
		{"one end huge", 5, 5, 1e300, 5, true, [4]float64{5, 5, 10, 5}},
		{"outside", 20, 20, 30, 30, false, [4]float64{}},
		{"NaN end", nan, 1, 2, 2, false, [4]float64{}},
	} {
		x0, y0, x1, y1, ok := clipSegment(tc.x0, tc.y0, tc.x1, tc.y1, 0, 0, 10, 10)
		if ok != tc.ok || ok && [4]float64{x0, y0, x1, y1} != tc.want {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, [4]float64{x0, y0, x1, y1}, ok, tc.want, tc.ok)
		}
	}
	cv := newCanvas(10, 10)
	cv.line(2, 2, 1e300, 1e300, 1, inkMain) // must return at once, the diagonal drawn to the edge
	if rgba(cv.img, 7, 7) != inkMain {
		t.Error("clipped diagonal not drawn")
	}
}

// TestTicks checks tick values against hand-picked nice numbers.
func TestTicks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi float64
		log    bool
		want   string
	}{
		{0, 1, false, "0 0.2 0.4 0.6 0.8 1"},
		{0.3, 0.91, false, "0.4 0.6 0.8"},
		{1, 200, false, "50 100 150 200"},
		{-1, 1, false, "-1 -0.5 0 0.5 1"},
		{0.001, 0.3, true, "0.001 0.01 0.1"},
		{0.3, 2.5, true, "0.5 1 2"},
	} {
		var got []string
		for _, v := range ticks(tc.lo, tc.hi, tc.log, 5) {
			got = append(got, fmtTick(v))
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("ticks(%g, %g, log=%t) = %s, want %s", tc.lo, tc.hi, tc.log, s, tc.want)
		}
	}
}

// BenchmarkLossPNG draws and encodes the loss chart of a 100,000-step run with two extra series.
func BenchmarkLossPNG(b *testing.B) {
	bodies := make([]lab.Body, 0, 100_000)
	for s := int64(1); s <= 100_000; s++ {
		x := float64(s)
		bodies = append(bodies, lab.StepMetrics{Step: s, Loss: 2 / math.Sqrt(x), Series: map[string]float64{"a": 1 / x, "b": math.Sin(x)}})
	}
	c := FromEvents(events(bodies...))
	b.ResetTimer()
	for b.Loop() {
		if err := c.WritePNG(io.Discard, "loss", Options{Smooth: 0.6}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExportAllPanes builds the fake Panes run's charts from its events and encodes every
// chart as PNG and CSV (no disk).
func BenchmarkExportAllPanes(b *testing.B) {
	evs := events((labtest.Panes{}).Events()...)
	for b.Loop() {
		c := FromEvents(evs)
		for _, key := range c.Keys() {
			if err := c.WritePNG(io.Discard, key, Options{}); err != nil {
				b.Fatal(err)
			}
			if err := c.WriteCSV(io.Discard, key, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestDenseLineMatchesSegments checks that a line with many points per pixel column, drawn by
// columns (drawDense), covers the same pixels as drawing every segment.
func TestDenseLineMatchesSegments(t *testing.T) {
	t.Parallel()
	var l plotLine
	for i := range 20_000 {
		x := float64(i)
		y := math.Sin(x/300) + 0.3*math.Sin(x*1.7)
		if i%5000 == 17 {
			y = nan // gaps
		}
		l.xs, l.ys = append(l.xs, x), append(l.ys, y)
	}
	l.col, l.width = inkMain, 1
	spec := axesSpec{xs: span{lo: 0, hi: 20_000, ok: true}, ys: span{lo: -1.3, hi: 1.3, ok: true}}
	dense, full := newFrame(640, 400, spec), newFrame(640, 400, spec)
	dense.drawDense(l, 2)
	full.drawSparse(l, 2)
	inkD, inkF, diff := 0, 0, 0
	for i := 0; i < len(dense.c.img.Pix); i += 4 {
		d, f := dense.c.img.Pix[i] == inkMain.R, full.c.img.Pix[i] == inkMain.R
		if d {
			inkD++
		}
		if f {
			inkF++
		}
		if d != f {
			diff++
		}
	}
	t.Logf("differing pixels: %d of %d", diff, inkF)
	if inkF == 0 || float64(diff) > 0.01*float64(inkF) {
		t.Errorf("dense drawing differs in %d pixels of %d (dense has %d)", diff, inkF, inkD)
	}
}
