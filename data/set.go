package data

import "fmt"

// Set is a labelled image set, pixels scaled to [0,1], stored N×C×H×W row-major (NCHW).
type Set struct {
	Name       string    // "mnist/train", "fashion/test", "cifar/train"
	Pixels     []float32 // len N*C*H*W
	Labels     []int     // len N, each in [0, Classes)
	N, C, H, W int
	Classes    int
	ClassNames []string
}

// Dim is the number of values in one image, C·H·W.
func (s *Set) Dim() int { return s.C * s.H * s.W }

// Image returns the i-th image's C·H·W pixels as a subslice of s.Pixels (no copy: writes go through).
// It panics if i is outside [0, N).
func (s *Set) Image(i int) []float32 {
	if i < 0 || i >= s.N {
		panic(fmt.Sprintf("data: image index %d out of range [0, %d) in %s", i, s.N, s.Name))
	}
	d := s.Dim()
	return s.Pixels[i*d : (i+1)*d : (i+1)*d]
}

// Gather copies the images and labels of samples idx into x (len(idx)·Dim() values) and y
// (len(idx) labels): a training batch. It panics if an index is outside [0, N).
func (s *Set) Gather(x []float32, y []int, idx []int) {
	d := s.Dim()
	for i, j := range idx {
		copy(x[i*d:(i+1)*d], s.Image(j))
		y[i] = s.Labels[j]
	}
}

// Subset returns a new Set holding copies of the listed samples, in the order given (indices may
// repeat). ClassNames is shared, not copied. It panics if an index is outside [0, N).
func (s *Set) Subset(idx []int) *Set {
	d := s.Dim()
	out := &Set{
		Name: s.Name, N: len(idx), C: s.C, H: s.H, W: s.W,
		Classes: s.Classes, ClassNames: s.ClassNames,
		Pixels: make([]float32, len(idx)*d),
		Labels: make([]int, len(idx)),
	}
	for j, i := range idx {
		copy(out.Pixels[j*d:(j+1)*d], s.Image(i))
		out.Labels[j] = s.Labels[i]
	}
	return out
}

// ClassCounts returns how many samples of each class s holds.
func (s *Set) ClassCounts() []int {
	counts := make([]int, s.Classes)
	for _, l := range s.Labels {
		counts[l]++
	}
	return counts
}

// newSet builds a Set from raw bytes, scaling pixels by 1/255. It checks every label against the
// class count and reports the first bad one as a *FormatError naming labelFile.
func newSet(name string, c, h, w int, pix, labels []byte, classNames []string, labelFile string) (*Set, error) {
	n := len(labels)
	if len(pix) != n*c*h*w {
		// Callers check the counts first; this guards the invariant.
		return nil, &FormatError{File: labelFile, Want: fmt.Sprintf("%d images to match %d labels", n, n),
			Got: fmt.Sprintf("%d pixel bytes, not %d", len(pix), n*c*h*w)}
	}
	s := &Set{
		Name: name, N: n, C: c, H: h, W: w,
		Classes: len(classNames), ClassNames: classNames,
		Pixels: make([]float32, len(pix)),
		Labels: make([]int, n),
	}
	for i, l := range labels {
		if int(l) >= s.Classes {
			return nil, &FormatError{File: labelFile, Want: fmt.Sprintf("labels in [0, %d)", s.Classes),
				Got: fmt.Sprintf("label %d at index %d", l, i)}
		}
		s.Labels[i] = int(l)
	}
	for i, p := range pix {
		s.Pixels[i] = float32(p) / 255
	}
	return s, nil
}
