package data

import "testing"

func TestShift(t *testing.T) {
	t.Parallel()
	// A 1×3×3 image with values 1..9; expected images written out by hand.
	src := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		name   string
		dx, dy int
		want   []float32
	}{
		{"none", 0, 0, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"right", 1, 0, []float32{0, 1, 2, 0, 4, 5, 0, 7, 8}},
		{"left", -1, 0, []float32{2, 3, 0, 5, 6, 0, 8, 9, 0}},
		{"down", 0, 1, []float32{0, 0, 0, 1, 2, 3, 4, 5, 6}},
		{"up-left", -1, -1, []float32{5, 6, 0, 8, 9, 0, 0, 0, 0}},
		{"off the image", 3, 0, []float32{0, 0, 0, 0, 0, 0, 0, 0, 0}},
	} {
		dst := make([]float32, 9)
		for i := range dst {
			dst[i] = -1 // must be overwritten everywhere
		}
		Shift(dst, src, 1, 3, 3, tc.dx, tc.dy)
		for i := range dst {
			if dst[i] != tc.want[i] {
				t.Errorf("%s: Shift = %v, want %v", tc.name, dst, tc.want)
				break
			}
		}
	}
	// Two channels shift together.
	src2 := []float32{1, 2, 3, 4, 10, 20, 30, 40}
	dst2 := make([]float32, 8)
	Shift(dst2, src2, 2, 2, 2, 1, 0)
	want2 := []float32{0, 1, 0, 3, 0, 10, 0, 30}
	for i := range want2 {
		if dst2[i] != want2[i] {
			t.Fatalf("2 channels: %v, want %v", dst2, want2)
		}
	}
}
