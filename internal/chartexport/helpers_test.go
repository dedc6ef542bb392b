package chartexport

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/logitlab/logitlab/internal/labtest"
	"github.com/logitlab/logitlab/lab"
)

var (
	nan  = math.NaN()
	pinf = math.Inf(1)
	ninf = math.Inf(-1)
)

// events wraps bodies as the events of a run, in order.
func events(bodies ...lab.Body) []lab.Event {
	out := make([]lab.Event, len(bodies))
	for i, b := range bodies {
		out[i] = lab.Event{Seq: int64(i + 1), Time: time.Unix(1_700_000_000+int64(i), 0).UTC(), Body: b}
	}
	return out
}

// panesCharts are the charts of the labtest.Panes fake run: one of every kind.
func panesCharts() *Charts {
	return FromEvents(events((labtest.Panes{}).Events()...))
}

// decodePNG renders key as PNG and decodes it back.
func decodePNG(t *testing.T, c *Charts, key string, o Options) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := c.WritePNG(&buf, key, o); err != nil {
		t.Fatalf("WritePNG(%q): %v", key, err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode %q: %v", key, err)
	}
	return img
}

// rgba returns the colour of a pixel of img.
func rgba(img image.Image, x, y int) color.RGBA {
	r, g, b, a := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// near reports whether a pixel within d of (x, y) has colour col.
func near(img image.Image, x, y, d int, col color.RGBA) bool {
	for dy := -d; dy <= d; dy++ {
		for dx := -d; dx <= d; dx++ {
			if rgba(img, x+dx, y+dy) == col {
				return true
			}
		}
	}
	return false
}

// count is the number of pixels of img with colour col.
func count(img image.Image, col color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if rgba(img, x, y) == col {
				n++
			}
		}
	}
	return n
}
