//go:build !amd64

package ops

// maxPoolPlaneFast has no vector version on this architecture: the scalar loop runs.
func maxPoolPlaneFast(p poolGeom, x []float32, off int, y []float32, arg []int32) bool {
	return false
}
