package chartexport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/logitlab/logitlab/lab"
)

// WriteCSV writes the chart with the given key as CSV (see the package comment for the columns of
// each kind). o.HistStep picks a histogram's step; the other options only change the PNG. It
// returns a *NoChartError or *NoStepError when the run has no such chart or step.
func (c *Charts) WriteCSV(w io.Writer, key string, o Options) error {
	ch, err := c.Lookup(key)
	if err != nil {
		return err
	}
	var rows [][]string
	switch ch.Kind {
	case Loss:
		rows = stepRows(&c.loss)
	case Acc:
		rows = stepRows(&c.acc)
	case Hist:
		h, err := c.histogram(ch, o.HistStep)
		if err != nil {
			return err
		}
		rows = histRows(h)
	case Points:
		rows = pointRows(c.points[ch.Name])
	case Table:
		rows = tableRows(c.tables[ch.Name])
	case Images:
		rows = imageRows(c.images[ch.Name])
	case Bars:
		rows = barRows(c.bars[ch.Name])
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write %s as CSV: %w", key, err)
	}
	return nil
}

// num writes a value so that it reads back exactly; non-finite values as NaN, +Inf and -Inf.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// uniqueHeader makes every header cell distinct by suffixing repeats with _2, _3 …
func uniqueHeader(h []string) []string {
	seen := map[string]bool{}
	out := make([]string, len(h))
	for i, name := range h {
		n := name
		for k := 2; seen[n]; k++ {
			n = name + "_" + strconv.Itoa(k)
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

// stepRows is "step, name…": one row per step, an empty cell where a name was not logged.
func stepRows(t *stepTable) [][]string {
	header := []string{"step"}
	for _, n := range t.names {
		header = append(header, displayName(n))
	}
	rows := [][]string{uniqueHeader(header)}
	for _, s := range t.steps() {
		row := []string{strconv.FormatInt(s, 10)}
		for _, n := range t.names {
			cell := ""
			if v, ok := t.rows[s][n]; ok {
				cell = num(v)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// histRows is "step, bin_lo, bin_hi, label…": one row per bin. Edges or counts the event lacks
// are empty cells.
func histRows(h lab.Histogram) [][]string {
	header := []string{"step", "bin_lo", "bin_hi"}
	bins := max(len(h.Edges)-1, 0)
	for _, s := range h.Series {
		header = append(header, s.Label)
		bins = max(bins, len(s.Counts))
	}
	rows := [][]string{uniqueHeader(header)}
	edge := func(i int) string {
		if i < len(h.Edges) {
			return num(h.Edges[i])
		}
		return ""
	}
	for b := range bins {
		row := []string{strconv.FormatInt(h.Step, 10), edge(b), edge(b + 1)}
		for _, s := range h.Series {
			cell := ""
			if b < len(s.Counts) {
				cell = strconv.Itoa(s.Counts[b])
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// pointRows is "series, x, y, err": series in first-sight order, points by increasing x, those
// with a non-finite x last.
func pointRows(pc *pointChart) [][]string {
	rows := [][]string{{"series", "x", "y", "err"}}
	for _, name := range pc.order {
		for _, p := range pc.sorted(name) {
			rows = append(rows, []string{name, num(p.x), num(p.y), num(p.err)})
		}
	}
	return rows
}

// barRows is "group, series, value, err": groups in order, each with its series in order; err is
// empty when the series has no error bars or none for that group.
func barRows(b lab.Bars) [][]string {
	rows := [][]string{{"group", "series", "value", "err"}}
	for gi, g := range b.Groups {
		for _, s := range b.Series {
			v, e := "", ""
			if gi < len(s.Values) {
				v = num(s.Values[gi])
			}
			if gi < len(s.Err) {
				e = num(s.Err[gi])
			}
			rows = append(rows, []string{g, s.Label, v, e})
		}
	}
	return rows
}

// tableRows is the table itself: its columns, then its rows, every row as wide as the widest
// (extra columns are named column_N).
func tableRows(t lab.Table) [][]string {
	width := len(t.Columns)
	for _, r := range t.Rows {
		width = max(width, len(r))
	}
	header := make([]string, width)
	for i := range header {
		if i < len(t.Columns) {
			header[i] = t.Columns[i]
		} else {
			header[i] = "column_" + strconv.Itoa(i+1)
		}
	}
	rows := [][]string{header}
	for _, r := range t.Rows {
		row := make([]string, width)
		copy(row, r)
		rows = append(rows, row)
	}
	return rows
}

// imageRows is "item, caption, c, h, w, p0 … pN-1": one row per image, its pixels in C×H×W
// row-major order (N is the most pixels an item has, C·H·W when the event is well formed;
// an item with fewer has empty cells).
func imageRows(g lab.Images) [][]string {
	n := 0
	for _, it := range g.Items {
		n = max(n, len(it.Pixels))
	}
	header := append(make([]string, 0, 5+n), "item", "caption", "c", "h", "w")
	for i := range n {
		header = append(header, "p"+strconv.Itoa(i))
	}
	rows := [][]string{header}
	for i, it := range g.Items {
		row := append(make([]string, 0, 5+n), strconv.Itoa(i), strings.TrimSpace(it.Caption),
			strconv.Itoa(g.C), strconv.Itoa(g.H), strconv.Itoa(g.W))
		for j := range n {
			cell := ""
			if j < len(it.Pixels) {
				cell = strconv.FormatFloat(float64(it.Pixels[j]), 'g', -1, 32)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}
