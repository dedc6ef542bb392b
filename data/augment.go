package data

// Shift writes into dst the image src (C×H×W) translated by dx columns and dy rows, filling the
// uncovered border with zeros:
//
//	dst[c, y, x] = src[c, y−dy, x−dx]  when 0 ≤ y−dy < H and 0 ≤ x−dx < W, else 0.
//
// It panics if dst or src is not C·H·W long, or if they overlap.
func Shift(dst, src []float32, c, h, w, dx, dy int) {
	if len(dst) != c*h*w || len(src) != c*h*w {
		panic("data: Shift: dst and src must hold C*H*W values")
	}
	if dx == 0 && dy == 0 {
		copy(dst, src)
		return
	}
	clear(dst)
	x0, x1 := max(0, dx), min(w, w+dx) // destination columns that have a source
	if x0 >= x1 {
		return
	}
	for ch := 0; ch < c; ch++ {
		for y := max(0, dy); y < min(h, h+dy); y++ {
			row := (ch*h + y) * w
			srow := (ch*h + y - dy) * w
			copy(dst[row+x0:row+x1], src[srow+x0-dx:srow+x1-dx])
		}
	}
}
