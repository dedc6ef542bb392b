package experiments

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/logitlab/logitlab/internal/fsutil"
	"github.com/logitlab/logitlab/lab"
	"github.com/logitlab/logitlab/logits"
)

// galleryResult is the exported gallery: the PNG's path and what each image shows.
type galleryResult struct {
	Path  string        `json:"path"`
	Items []galleryItem `json:"items"`
}

// galleryItem is one test image of the gallery with both models' view of it.
type galleryItem struct {
	Row      string       `json:"row"` // "robust surer" or "standard surer"
	Index    int          `json:"test_index"`
	Label    string       `json:"label"`
	Standard galleryModel `json:"standard"`
	Robust   galleryModel `json:"robust"`
}

// galleryModel is one model's logits on a gallery image.
type galleryModel struct {
	Pred       string     `json:"pred"`
	Confidence num        `json:"confidence"`
	Percentile num        `json:"confidence_percentile"` // rank of its confidence among the test set, in (0, 1]
	MaxLogit   num        `json:"max_logit"`
	Gap        num        `json:"gap"`
	Top        []topLogit `json:"top_logits"`
}

type topLogit struct {
	Class string `json:"class"`
	Logit num    `json:"logit"`
}

// gallery picks the k test images whose confidence percentile under the robust model most exceeds
// the standard model's, and the k with the reverse (percentiles, not raw confidence, because the
// robust model is less confident everywhere; the question is which samples each model is sure of
// compared with its other samples), emits them as an Images event with both models' top logits in
// the captions, and writes them as a PNG grid into the run directory: the first row the robust
// model's surest, the second the standard model's.
func (r *logitsRun) gallery(std, rob logits.Stats, job logitsJob) (*galleryResult, error) {
	ps, pr := logits.Percentiles(std.LogOdds), logits.Percentiles(rob.LogOdds)
	robSurer, stdSurer := logits.Extremes(pr, ps, r.cfg.Gallery)
	k := r.test.Classes
	name := func(c int) string {
		if c < len(r.test.ClassNames) {
			return r.test.ClassNames[c]
		}
		return fmt.Sprint(c)
	}
	view := func(model string, s logits.Stats, pct []float64, i int) (galleryModel, error) {
		z := make([]float32, k)
		if err := r.st.jm.eval[model].Logits(z, r.test.Image(i)); err != nil {
			return galleryModel{}, err
		}
		order := make([]int, k)
		for c := range order {
			order[c] = c
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(z[b], z[a]) })
		g := galleryModel{Pred: name(s.Pred[i]), Confidence: num(s.Conf[i]), Percentile: num(pct[i]),
			MaxLogit: num(s.Max[i]), Gap: num(s.Gap[i])}
		for _, c := range order[:min(3, k)] {
			g.Top = append(g.Top, topLogit{Class: name(c), Logit: num(z[c])})
		}
		return g, nil
	}
	res := &galleryResult{Path: filepath.Join(r.env.Dir(), "gallery.png")}
	ev := lab.Images{Name: "confidence disagreement", Step: r.st.step(), C: r.test.C, H: r.test.H, W: r.test.W, Path: res.Path}
	var rows [][][]float32
	for _, row := range []struct {
		title string
		idx   []int
	}{{"robust surer", robSurer}, {"standard surer", stdSurer}} {
		var imgs [][]float32
		for _, i := range row.idx {
			gs, err := view(mStandard, std, ps, i)
			if err != nil {
				return nil, err
			}
			gr, err := view(mRobust, rob, pr, i)
			if err != nil {
				return nil, err
			}
			it := galleryItem{Row: row.title, Index: i, Label: name(r.test.Labels[i]), Standard: gs, Robust: gr}
			res.Items = append(res.Items, it)
			ev.Items = append(ev.Items, lab.ImageItem{Caption: caption(it), Pixels: slices.Clone(r.test.Image(i))})
			imgs = append(imgs, r.test.Image(i))
		}
		rows = append(rows, imgs)
	}
	err := fsutil.WriteAtomic(res.Path, 0o644, func(w io.Writer) error {
		return writeGrid(w, rows, r.test.C, r.test.H, r.test.W, 3)
	})
	if err != nil {
		return nil, fmt.Errorf("logits: write the gallery PNG: %w", err)
	}
	r.env.Emit(ev)
	return res, nil
}

// caption is one line: the row, the label, and each model's prediction, confidence (with its
// percentile) and top three logits.
func caption(it galleryItem) string {
	side := func(who string, g galleryModel) string {
		var top []string
		for _, t := range g.Top {
			top = append(top, fmt.Sprintf("%s:%.1f", t.Class, float64(t.Logit)))
		}
		return fmt.Sprintf("%s %s %.2f (p%.0f) [%s]", who, g.Pred, float64(g.Confidence), 100*float64(g.Percentile), strings.Join(top, " "))
	}
	return fmt.Sprintf("%s #%d label %s | %s | %s", it.Row, it.Index, it.Label, side("std", it.Standard), side("rob", it.Robust))
}

// Colours of the grid: the background, and the bar that marks each row (blue: the robust model is
// surer; orange: the standard model is).
var (
	gridBackground = color.NRGBA{40, 40, 40, 255}
	gridRowColours = []color.NRGBA{{70, 130, 230, 255}, {240, 150, 40, 255}}
)

// writeGrid encodes rows of C×H×W images (pixels in [0, 1], channel planes) as a PNG, each pixel
// scaled to scale×scale, with a coloured bar at the left of each row.
func writeGrid(w io.Writer, rows [][][]float32, c, h, wd, scale int) error {
	const pad, bar = 4, 6
	cols := 0
	for _, row := range rows {
		cols = max(cols, len(row))
	}
	cellW, cellH := wd*scale+pad, h*scale+pad
	width := pad + bar + pad + max(cols, 1)*cellW
	height := pad + max(len(rows), 1)*cellH
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			img.SetNRGBA(x, y, gridBackground)
		}
	}
	level := func(v float32) uint8 { return uint8(min(max(v, 0), 1)*255 + 0.5) }
	for ri, row := range rows {
		y0 := pad + ri*cellH
		for y := y0; y < y0+h*scale; y++ {
			for x := pad; x < pad+bar; x++ {
				img.SetNRGBA(x, y, gridRowColours[ri%len(gridRowColours)])
			}
		}
		for ci, px := range row {
			x0 := pad + bar + pad + ci*cellW
			for i := 0; i < h; i++ {
				for j := 0; j < wd; j++ {
					var col color.NRGBA
					if c >= 3 {
						col = color.NRGBA{level(px[i*wd+j]), level(px[h*wd+i*wd+j]), level(px[2*h*wd+i*wd+j]), 255}
					} else {
						v := level(px[i*wd+j])
						col = color.NRGBA{v, v, v, 255}
					}
					for dy := 0; dy < scale; dy++ {
						for dx := 0; dx < scale; dx++ {
							img.SetNRGBA(x0+j*scale+dx, y0+i*scale+dy, col)
						}
					}
				}
			}
		}
	}
	return png.Encode(w, img)
}
