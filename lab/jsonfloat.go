package lab

import (
	"encoding/json"
	"math"
	"strconv"
)

// JSON has no NaN or ±Inf, but a diverging run produces them and its log must still say so. Events
// that carry measured floats therefore write non-finite values as the strings "NaN", "+Inf" and
// "-Inf", and read them back.

// jsonFloat is a float64 that survives a JSON round trip even when it is not finite.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = jsonFloat(math.NaN())
		return nil
	case `"+Inf"`, `"Inf"`:
		*f = jsonFloat(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = jsonFloat(math.Inf(-1))
		return nil
	case "null":
		*f = jsonFloat(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: nil}
	}
	*f = jsonFloat(v)
	return nil
}

func toJSONMap(m map[string]float64) map[string]jsonFloat {
	if m == nil {
		return nil
	}
	out := make(map[string]jsonFloat, len(m))
	for k, v := range m {
		out[k] = jsonFloat(v)
	}
	return out
}

func fromJSONMap(m map[string]jsonFloat) map[string]float64 {
	if m == nil {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}

type stepJSON struct {
	Step          int64                `json:"step"`
	Epoch         int                  `json:"epoch"`
	Loss          jsonFloat            `json:"loss"`
	LR            jsonFloat            `json:"lr"`
	SamplesPerSec jsonFloat            `json:"samples_per_sec"`
	Series        map[string]jsonFloat `json:"series,omitempty"`
}

// MarshalJSON writes non-finite values as strings.
func (s StepMetrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(stepJSON{s.Step, s.Epoch, jsonFloat(s.Loss), jsonFloat(s.LR), jsonFloat(s.SamplesPerSec), toJSONMap(s.Series)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *StepMetrics) UnmarshalJSON(b []byte) error {
	var j stepJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = StepMetrics{j.Step, j.Epoch, float64(j.Loss), float64(j.LR), float64(j.SamplesPerSec), fromJSONMap(j.Series)}
	return nil
}

type epochJSON struct {
	Step      int64                `json:"step"`
	Epoch     int                  `json:"epoch"`
	TrainLoss jsonFloat            `json:"train_loss"`
	TestLoss  jsonFloat            `json:"test_loss"`
	TestAcc   jsonFloat            `json:"test_acc"`
	Extra     map[string]jsonFloat `json:"extra,omitempty"`
}

// MarshalJSON writes non-finite values as strings.
func (e EpochSummary) MarshalJSON() ([]byte, error) {
	return json.Marshal(epochJSON{e.Step, e.Epoch, jsonFloat(e.TrainLoss), jsonFloat(e.TestLoss), jsonFloat(e.TestAcc), toJSONMap(e.Extra)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *EpochSummary) UnmarshalJSON(b []byte) error {
	var j epochJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = EpochSummary{j.Step, j.Epoch, float64(j.TrainLoss), float64(j.TestLoss), float64(j.TestAcc), fromJSONMap(j.Extra)}
	return nil
}

type settingJSON struct {
	Name  string    `json:"name"`
	Value jsonFloat `json:"value"`
	By    string    `json:"by,omitempty"`
	Step  int64     `json:"step"`
}

// MarshalJSON writes non-finite values as strings.
func (s SettingApplied) MarshalJSON() ([]byte, error) {
	return json.Marshal(settingJSON{s.Name, jsonFloat(s.Value), s.By, s.Step})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *SettingApplied) UnmarshalJSON(b []byte) error {
	var j settingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = SettingApplied{j.Name, float64(j.Value), j.By, j.Step}
	return nil
}

// finiteResults returns a copy of results in which every non-finite float64 (at any depth of maps and
// slices) is replaced by its string name, so that results.json and the Finished event can be written.
func finiteResults(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b, _ := jsonFloat(x).MarshalJSON()
			return string(b[1 : len(b)-1])
		}
		return x
	case float32:
		return finiteResults(float64(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = finiteResults(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = finiteResults(e)
		}
		return out
	case []float64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = finiteResults(e)
		}
		return out
	}
	return v
}

type pointJSON struct {
	Chart  string    `json:"chart"`
	Series string    `json:"series"`
	X      jsonFloat `json:"x"`
	Y      jsonFloat `json:"y"`
	Err    jsonFloat `json:"err,omitempty"`
	XLabel string    `json:"x_label,omitempty"`
	YLabel string    `json:"y_label,omitempty"`
}

// MarshalJSON writes non-finite values as strings.
func (p Point) MarshalJSON() ([]byte, error) {
	return json.Marshal(pointJSON{p.Chart, p.Series, jsonFloat(p.X), jsonFloat(p.Y), jsonFloat(p.Err), p.XLabel, p.YLabel})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Point) UnmarshalJSON(b []byte) error {
	var j pointJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Point{j.Chart, j.Series, float64(j.X), float64(j.Y), float64(j.Err), j.XLabel, j.YLabel}
	return nil
}

type histSeriesJSON struct {
	Label  string    `json:"label"`
	Counts []int     `json:"counts"`
	Mean   jsonFloat `json:"mean"`
	Median jsonFloat `json:"median"`
}

// MarshalJSON writes non-finite values as strings.
func (h HistSeries) MarshalJSON() ([]byte, error) {
	return json.Marshal(histSeriesJSON{h.Label, h.Counts, jsonFloat(h.Mean), jsonFloat(h.Median)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (h *HistSeries) UnmarshalJSON(b []byte) error {
	var j histSeriesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*h = HistSeries{j.Label, j.Counts, float64(j.Mean), float64(j.Median)}
	return nil
}

type barSeriesJSON struct {
	Label  string      `json:"label"`
	Values []jsonFloat `json:"values"`
	Err    []jsonFloat `json:"err,omitempty"`
}

func toJSONFloats(v []float64) []jsonFloat {
	if v == nil {
		return nil
	}
	out := make([]jsonFloat, len(v))
	for i, x := range v {
		out[i] = jsonFloat(x)
	}
	return out
}

func fromJSONFloats(v []jsonFloat) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// MarshalJSON writes non-finite values (bars not yet measured are NaN) as strings.
func (s BarSeries) MarshalJSON() ([]byte, error) {
	return json.Marshal(barSeriesJSON{s.Label, toJSONFloats(s.Values), toJSONFloats(s.Err)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *BarSeries) UnmarshalJSON(b []byte) error {
	var j barSeriesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = BarSeries{j.Label, fromJSONFloats(j.Values), fromJSONFloats(j.Err)}
	return nil
}
