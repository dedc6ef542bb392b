package lab

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func TestNonFiniteEventsRoundTrip(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	for _, b := range []Body{
		StepMetrics{Step: 3, Epoch: 1, Loss: nan, LR: 1e4, SamplesPerSec: inf, Series: map[string]float64{"robust/loss": math.Inf(-1)}},
		EpochSummary{Step: 3, Epoch: 1, TrainLoss: inf, TestLoss: nan, TestAcc: 0.1},
		SettingApplied{Name: "lr", Value: 0.5, By: "x", Step: 2},
		Point{Chart: "c", Series: "s", X: 0.3, Y: nan, Err: inf},
		Histogram{Name: "h", Edges: []float64{0, 1, 2}, Series: []HistSeries{{Label: "a", Counts: []int{1, 2}, Mean: nan, Median: 1}}},
		Table{Name: "t", Columns: []string{"a"}, Rows: [][]string{{"1"}}},
		Images{Name: "g", C: 1, H: 1, W: 2, Items: []ImageItem{{Caption: "x", Pixels: []float32{0, 1}}}},
		Bars{Chart: "b", Step: 4, Groups: []string{"hard", "robust"}, Series: []BarSeries{{Label: "clean", Values: []float64{0.9, nan}, Err: []float64{inf, 0.1}}}},
	} {
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("%T: %v", b, err)
		}
		got, err := decodeBody(b.Kind(), raw)
		if err != nil {
			t.Fatalf("%T: %v (%s)", b, err, raw)
		}
		// NaN != NaN, so compare the re-encoded bytes.
		again, _ := json.Marshal(got)
		if string(again) != string(raw) {
			t.Errorf("%T: %s → %s", b, raw, again)
		}
	}
	got := finiteResults(map[string]any{"a": nan, "b": []any{1.0, inf}, "c": map[string]any{"d": math.Inf(-1)}, "e": "x"})
	want := map[string]any{"a": "NaN", "b": []any{1.0, "+Inf"}, "c": map[string]any{"d": "-Inf"}, "e": "x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("finiteResults = %v, want %v", got, want)
	}
}
