package data

import (
	"slices"
	"testing"
)

// tinySet is 3 images of 2×1×2 (C×H×W) with pixels 0..11 and labels 2, 0, 1.
func tinySet() *Set {
	s := &Set{Name: "tiny/train", N: 3, C: 2, H: 1, W: 2, Classes: 3, ClassNames: []string{"a", "b", "c"},
		Labels: []int{2, 0, 1}, Pixels: make([]float32, 12)}
	for i := range s.Pixels {
		s.Pixels[i] = float32(i)
	}
	return s
}

func TestSetImageAndSubset(t *testing.T) {
	t.Parallel()
	s := tinySet()
	if s.Dim() != 4 {
		t.Fatalf("Dim = %d, want 4", s.Dim())
	}
	if got := s.Image(1); !slices.Equal(got, []float32{4, 5, 6, 7}) {
		t.Fatalf("Image(1) = %v", got)
	}
	s.Image(1)[0] = 40 // a subslice: writes go through
	if s.Pixels[4] != 40 {
		t.Error("Image did not return a view")
	}
	if img := s.Image(0); cap(img) != 4 {
		t.Errorf("Image(0) has capacity %d; appending to it would overwrite image 1", cap(img))
	}

	sub := s.Subset([]int{2, 0, 2})
	if sub.N != 3 || !slices.Equal(sub.Labels, []int{1, 2, 1}) ||
		!slices.Equal(sub.Pixels, []float32{8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}) {
		t.Fatalf("Subset = N %d labels %v pixels %v", sub.N, sub.Labels, sub.Pixels)
	}
	sub.Pixels[0] = -1
	if s.Pixels[8] != 8 {
		t.Error("Subset shares pixels with its parent")
	}
	if got := s.ClassCounts(); !slices.Equal(got, []int{1, 1, 1}) {
		t.Errorf("ClassCounts = %v", got)
	}
	if empty := s.Subset(nil); empty.N != 0 || len(empty.Pixels) != 0 || empty.C != 2 {
		t.Errorf("empty Subset = %+v", empty)
	}
}

func TestSetImagePanics(t *testing.T) {
	t.Parallel()
	for _, i := range []int{-1, 3} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Image(%d) did not panic", i)
				}
			}()
			tinySet().Image(i)
		}()
	}
}

func TestSetGather(t *testing.T) {
	t.Parallel()
	s := tinySet()
	x, y := make([]float32, 3*4), make([]int, 3)
	s.Gather(x, y, []int{2, 0, 2})
	if want := []float32{8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}; !slices.Equal(x, want) {
		t.Errorf("pixels %v, want %v", x, want)
	}
	if want := []int{1, 2, 1}; !slices.Equal(y, want) {
		t.Errorf("labels %v, want %v", y, want)
	}
}
