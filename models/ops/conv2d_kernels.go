package ops

// convGeom is the geometry of a 2-D convolution: x N×C×H×W, w O×C×KH×KW, square padding Pad
// and stride Stride on both axes, y N×O×OH×OW.
type convGeom struct {
	N, C, H, W     int
	O, KH, KW      int
	Pad, Stride    int
	OH, OW         int
	withBias       bool
	xSize, ySize   int // N·C·H·W, N·O·OH·OW
	rows, outPlane int // R = C·KH·KW rows of the column matrix; L = OH·OW
}

func newConvGeom(n, c, h, w, o, kh, kw, pad, stride int) convGeom {
	g := convGeom{N: n, C: c, H: h, W: w, O: o, KH: kh, KW: kw, Pad: pad, Stride: stride}
	g.OH = (h+2*pad-kh)/stride + 1
	g.OW = (w+2*pad-kw)/stride + 1
	g.xSize = n * c * h * w
	g.ySize = n * o * g.OH * g.OW
	g.rows = c * kh * kw
	g.outPlane = g.OH * g.OW
	return g
}

// validRange returns the output indices [lo, hi) for which in = out·stride − pad + k lies in
// [0, size).
func validRange(size, out, pad, stride, k int) (lo, hi int) {
	// in ≥ 0  ⇔ out ≥ (pad−k)/stride rounded up; in < size ⇔ out < (size+pad−k)/stride rounded up.
	lo = ceilDiv(pad-k, stride)
	if lo < 0 {
		lo = 0
	}
	hi = ceilDiv(size+pad-k, stride)
	if hi > out {
		hi = out
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

func ceilDiv(a, b int) int {
	if a >= 0 {
		return (a + b - 1) / b
	}
	return -((-a) / b)
}

// im2col writes the column matrix of samples [n0, n1): col is R × (N·L), row r = (c, ki, kj),
// column n·L + oh·OW + ow holds x[n, c, oh·s−p+ki, ow·s−p+kj], or 0 outside the image.
func im2col[T float](g convGeom, x, col []T, n0, n1 int) {
	nl := g.N * g.outPlane
	for n := n0; n < n1; n++ {
		for c := 0; c < g.C; c++ {
			img := x[(n*g.C+c)*g.H*g.W:][:g.H*g.W]
			for ki := 0; ki < g.KH; ki++ {
				oh0, oh1 := validRange(g.H, g.OH, g.Pad, g.Stride, ki)
				for kj := 0; kj < g.KW; kj++ {
					r := (c*g.KH+ki)*g.KW + kj
					dst := col[r*nl+n*g.outPlane:][:g.outPlane]
					ow0, ow1 := validRange(g.W, g.OW, g.Pad, g.Stride, kj)
					clear(dst[:oh0*g.OW])
					clear(dst[oh1*g.OW:])
					for oh := oh0; oh < oh1; oh++ {
						row := dst[oh*g.OW:][:g.OW]
						src := img[(oh*g.Stride-g.Pad+ki)*g.W:][:g.W]
						clear(row[:ow0])
						clear(row[ow1:])
						if g.Stride == 1 {
							copy(row[ow0:ow1], src[ow0-g.Pad+kj:])
							continue
						}
						for ow := ow0; ow < ow1; ow++ {
							row[ow] = src[ow*g.Stride-g.Pad+kj]
						}
					}
				}
			}
		}
	}
}

// col2im zeroes dx for samples [n0, n1) and adds each column-matrix entry back to the pixel it
// was copied from: the adjoint of im2col.
func col2im[T float](g convGeom, col, dx []T, n0, n1 int) {
	nl := g.N * g.outPlane
	clear(dx[n0*g.C*g.H*g.W : n1*g.C*g.H*g.W])
	for n := n0; n < n1; n++ {
		for c := 0; c < g.C; c++ {
			img := dx[(n*g.C+c)*g.H*g.W:][:g.H*g.W]
			for ki := 0; ki < g.KH; ki++ {
				oh0, oh1 := validRange(g.H, g.OH, g.Pad, g.Stride, ki)
				for kj := 0; kj < g.KW; kj++ {
					r := (c*g.KH+ki)*g.KW + kj
					src := col[r*nl+n*g.outPlane:][:g.outPlane]
					ow0, ow1 := validRange(g.W, g.OW, g.Pad, g.Stride, kj)
					for oh := oh0; oh < oh1; oh++ {
						row := src[oh*g.OW:][:g.OW]
						dst := img[(oh*g.Stride-g.Pad+ki)*g.W:][:g.W]
						if g.Stride == 1 {
							d := dst[ow0-g.Pad+kj:][:ow1-ow0]
							for i, v := range row[ow0:ow1] {
								d[i] += v
							}
							continue
						}
						for ow := ow0; ow < ow1; ow++ {
							dst[ow*g.Stride-g.Pad+kj] += row[ow]
						}
					}
				}
			}
		}
	}
}

// nclToCNL copies samples [n0, n1) of src (N×C×L) into dst (C×N·L).
func nclToCNL[T float](n, c, l int, src, dst []T, n0, n1 int) {
	for i := n0; i < n1; i++ {
		for ch := 0; ch < c; ch++ {
			copy(dst[(ch*n+i)*l:][:l], src[(i*c+ch)*l:][:l])
		}
	}
}

// cnlToNCL copies samples [n0, n1) of src (C×N·L) into dst (N×C×L), adding bias[ch] when bias
// is not nil.
func cnlToNCL[T float](n, c, l int, src, dst, bias []T, n0, n1 int) {
	for i := n0; i < n1; i++ {
		for ch := 0; ch < c; ch++ {
			d, s := dst[(i*c+ch)*l:][:l], src[(ch*n+i)*l:][:l]
			if bias == nil {
				copy(d, s)
				continue
			}
			b := bias[ch]
			for j, v := range s {
				d[j] = v + b
			}
		}
	}
}
