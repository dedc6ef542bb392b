package ops

// convGeom is the geometry of a 2-D convolution: x N×C×H×W, w O×C×KH×KW, square padding Pad
// and stride Stride on both axes, y N×O×OH×OW.
type convGeom struct {
	N, C, H, W     int
	O, KH, KW      int
	Pad, Stride    int
	OH, OW         int
	withBias       bool
	xSize, ySize   int  // N·C·H·W, N·O·OH·OW
	rows, outPlane int  // R = C·KH·KW rows of the column matrix; L = OH·OW
	perSample      bool // one GEMM per sample instead of one per batch: see newConvGeom
	group          int  // otherwise: samples per GEMM (the last group may be smaller)
}

// convGroupFloats bounds the column block of one batched GEMM (floats).
const convGroupFloats = 1 << 23

// newConvGeom returns the geometry of a convolution and chooses how it runs. perSample: one GEMM
// per sample, each writing its sample's output directly in NCHW (W·col_n is O×L), instead of one
// GEMM over the whole batch whose O×N·L result must be transposed (and dy transposed back for
// the gradients). The samples are split over our goroutines, each running its own im2col, GEMM
// and col2im while the sample's column block (R×L) is in its core's cache, and every GEMM must
// run on the goroutine's own thread. OpenBLAS does that by itself for GEMMs of at most
// gemmSerialMNK multiply-adds (the CNN's first layer, 32×784×9 per sample). Larger ones it runs
// on its thread pool, and concurrent threaded calls contend for it: on 2 cores, 64 GEMMs
// 64×196×288 (the CNN's second layer) take 5.5 ms so, and 4.2 ms issued one after another,
// against 2.0 ms confined to their callers' threads. So when the registered BLAS can confine its
// GEMMs (serialBLAS: internal/blas's OpenBLAS) such layers run per sample inside serially
// (serial), for batches of at least one sample per goroutine. CNN train step, batch 128, 2
// cores: 2,557–2,574 → 3,681–3,825 samples/s; PGD step 3,375 → 5,116–5,192. Without
// it (gonum's BLAS) they keep the batched GEMM and the layout copies. For the first layer the
// per-sample products are also faster on one core: dW 0.26 against 0.89 ms, dx 0.37 against
// 0.65 ms for batch 64.
func newConvGeom(n, c, h, w, o, kh, kw, pad, stride int) convGeom {
	g := convGeom{N: n, C: c, H: h, W: w, O: o, KH: kh, KW: kw, Pad: pad, Stride: stride}
	g.OH = (h+2*pad-kh)/stride + 1
	g.OW = (w+2*pad-kw)/stride + 1
	g.xSize = n * c * h * w
	g.ySize = n * o * g.OH * g.OW
	g.rows = c * kh * kw
	g.outPlane = g.OH * g.OW
	g.perSample = g.O*g.outPlane*g.rows <= gemmSerialMNK
	if !g.perSample && haveSerialBLAS() && n >= maxWorkers() {
		g.perSample = true
	}
	g.group = min(n, max(1, convGroupFloats/(g.rows*g.outPlane)))
	return g
}

// serial reports whether the per-sample GEMMs are large enough for OpenBLAS to thread them
// (above gemmSerialMNK), so that their regions must run inside serially.
func (g convGeom) serial() bool { return g.perSample && g.O*g.outPlane*g.rows > gemmSerialMNK }

// samplesRun runs fn, a region of per-sample GEMMs on our goroutines, inside serially when
// g.serial().
func (g convGeom) samplesRun(fn func()) {
	if g.serial() {
		serially(fn)
		return
	}
	fn()
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

// spans reports whether the rows of the column matrix map to contiguous runs of the image: with
// stride 1 and OW = W (a "same" convolution), column l = oh·W + ow of row (c, ki, kj) holds pixel
// l + (ki−p)·W + (kj−p) of plane c, so a whole row is one shifted copy, except for the ≤ |kj−p|
// entries per image row that wrap around to the neighbouring row and must be 0.
func (g convGeom) spans() bool { return g.Stride == 1 && g.OW == g.W }

// im2colSample writes the R rows of one sample's column matrix: row r = (c, ki, kj) is
// dst[r·ld:][:L], and its entry oh·OW + ow is img[c, oh·s−p+ki, ow·s−p+kj], or 0 outside the
// image. img is the sample's C×H×W block.
func im2colSample[T float](g convGeom, img, dst []T, ld int) {
	L, plane := g.outPlane, g.H*g.W
	for c := 0; c < g.C; c++ {
		src := img[c*plane:][:plane]
		for ki := 0; ki < g.KH; ki++ {
			oh0, oh1 := validRange(g.H, g.OH, g.Pad, g.Stride, ki)
			for kj := 0; kj < g.KW; kj++ {
				row := dst[((c*g.KH+ki)*g.KW+kj)*ld:][:L]
				ow0, ow1 := validRange(g.W, g.OW, g.Pad, g.Stride, kj)
				if oh0 >= oh1 || ow0 >= ow1 {
					clear(row)
					continue
				}
				if g.spans() {
					shift := (ki-g.Pad)*g.W + kj - g.Pad
					a, b := oh0*g.OW+ow0, (oh1-1)*g.OW+ow1
					clear(row[:a])
					copy(row[a:b], src[a+shift:b+shift])
					clear(row[b:])
					zeroWraps(row, oh0, oh1, g.OW, ow0, ow1)
					continue
				}
				clear(row[:oh0*g.OW])
				clear(row[oh1*g.OW:])
				for oh := oh0; oh < oh1; oh++ {
					out := row[oh*g.OW:][:g.OW]
					in := src[(oh*g.Stride-g.Pad+ki)*g.W:][:g.W]
					clear(out[:ow0])
					clear(out[ow1:])
					if g.Stride == 1 {
						copy(out[ow0:ow1], in[ow0-g.Pad+kj:])
						continue
					}
					for ow := ow0; ow < ow1; ow++ {
						out[ow] = in[ow*g.Stride-g.Pad+kj]
					}
				}
			}
		}
	}
}

// zeroWraps zeroes, in rows oh0 ≤ oh < oh1 of a column-matrix row of width ow, the entries left
// of ow0 and from ow1 on: one strided pass per such column (p of them on each side for a "same"
// convolution with padding p).
func zeroWraps[T float](row []T, oh0, oh1, ow, ow0, ow1 int) {
	end := oh1 * ow
	for k := 0; k < ow0; k++ {
		for i := oh0*ow + k; i < end; i += ow {
			row[i] = 0
		}
	}
	for k := ow1; k < ow; k++ {
		for i := oh0*ow + k; i < end; i += ow {
			row[i] = 0
		}
	}
}

// col2imSample sets dx (one sample's C×H×W block) to the adjoint of im2colSample applied to
// src (rows src[r·ld:][:L]): every column-matrix entry is added back to the pixel it was copied
// from. With spans() it zeroes the wrap-around entries of src first (src is scratch) and then
// adds each row as one contiguous run.
func col2imSample[T float](g convGeom, src []T, ld int, dx []T) {
	L, plane := g.outPlane, g.H*g.W
	clear(dx[:g.C*plane])
	for c := 0; c < g.C; c++ {
		img := dx[c*plane:][:plane]
		for ki := 0; ki < g.KH; ki++ {
			oh0, oh1 := validRange(g.H, g.OH, g.Pad, g.Stride, ki)
			for kj := 0; kj < g.KW; kj++ {
				row := src[((c*g.KH+ki)*g.KW+kj)*ld:][:L]
				ow0, ow1 := validRange(g.W, g.OW, g.Pad, g.Stride, kj)
				if oh0 >= oh1 || ow0 >= ow1 {
					continue
				}
				if g.spans() {
					shift := (ki-g.Pad)*g.W + kj - g.Pad
					a, b := oh0*g.OW+ow0, (oh1-1)*g.OW+ow1
					zeroWraps(row, oh0, oh1, g.OW, ow0, ow1)
					addTo(img[a+shift:b+shift], row[a:b])
					continue
				}
				for oh := oh0; oh < oh1; oh++ {
					in := row[oh*g.OW:][:g.OW]
					out := img[(oh*g.Stride-g.Pad+ki)*g.W:][:g.W]
					if g.Stride == 1 {
						addTo(out[ow0-g.Pad+kj:][:ow1-ow0], in[ow0:ow1])
						continue
					}
					for ow := ow0; ow < ow1; ow++ {
						out[ow*g.Stride-g.Pad+kj] += in[ow]
					}
				}
			}
		}
	}
}

// addTo sets dst[i] += src[i]: add32 (AVX2 where the CPU has it) for float32, otherwise four at
// a time (one bounds check per four elements).
func addTo[T float](dst, src []T) {
	if d, ok := any(dst).([]float32); ok {
		add32(d, any(src).([]float32))
		return
	}
	dst = dst[:len(src)]
	i := 0
	for ; i+4 <= len(src); i += 4 {
		d, s := dst[i:i+4:i+4], src[i:i+4:i+4]
		d[0] += s[0]
		d[1] += s[1]
		d[2] += s[2]
		d[3] += s[3]
	}
	for ; i < len(src); i++ {
		dst[i] += src[i]
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
