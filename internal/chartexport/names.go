package chartexport

import (
	"fmt"
	"strconv"
	"strings"
)

// info is the one-line description of a chart for listings.
func (c *Charts) info(ch Chart) string {
	plural := func(n int, one string) string {
		if n == 1 || one == "series" {
			return strconv.Itoa(n) + " " + one
		}
		return strconv.Itoa(n) + " " + one + "s"
	}
	span := func(steps []int64) string {
		if len(steps) == 0 {
			return "no steps yet"
		}
		return fmt.Sprintf("%s (%d…%d)", plural(len(steps), "step"), steps[0], steps[len(steps)-1])
	}
	switch ch.Kind {
	case Loss:
		return fmt.Sprintf("loss + %s, %s", plural(len(c.loss.names)-min(len(c.loss.names), 1), "series"), span(c.loss.steps()))
	case Acc:
		return fmt.Sprintf("test accuracy + %s, %s", plural(len(c.acc.names)-min(len(c.acc.names), 1), "value"), span(c.acc.steps()))
	case Hist:
		hs := c.hists[ch.Name]
		h := hs[len(hs)-1]
		return fmt.Sprintf("%s, %s, %s", plural(len(h.Series), "series"), plural(max(len(h.Edges)-1, 0), "bin"), span(c.HistSteps(ch.Name)))
	case Points:
		pc := c.points[ch.Name]
		n := 0
		for _, ps := range pc.series {
			n += len(ps)
		}
		return fmt.Sprintf("%s, %s", plural(len(pc.order), "series"), plural(n, "point"))
	case Table:
		t := c.tables[ch.Name]
		return fmt.Sprintf("%s × %s, step %d", plural(len(t.Rows), "row"), plural(len(t.Columns), "column"), t.Step)
	case Images:
		g := c.images[ch.Name]
		return fmt.Sprintf("%s of %d×%d×%d, step %d", plural(len(g.Items), "image"), g.C, g.H, g.W, g.Step)
	case Bars:
		b := c.bars[ch.Name]
		return fmt.Sprintf("%s × %s, step %d", plural(len(b.Groups), "group"), plural(len(b.Series), "series"), b.Step)
	}
	return ""
}

// FileName turns a chart key into a file name without extension: the prefix's colon becomes a
// dash, ASCII letters, digits, '.', '-' and '_' stay, runs of anything else become one '_', and
// the result is at most 80 bytes, never empty and never starting with a dot.
// "points:robust accuracy vs eps" → "points-robust_accuracy_vs_eps".
func FileName(key string) string {
	var b strings.Builder
	prefix, rest, ok := strings.Cut(key, ":")
	if ok && isPrefix(prefix) {
		b.WriteString(prefix + "-")
	} else {
		rest = key
	}
	under := false
	for _, r := range rest {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'):
			b.WriteRune(r)
			under = false
		case !under:
			b.WriteByte('_')
			under = true
		}
	}
	s := b.String()
	if len(s) > 80 {
		s = s[:80]
	}
	s = strings.TrimLeft(s, ".")
	if s == "" || strings.HasSuffix(s, "-") && isPrefix(strings.TrimSuffix(s, "-")) {
		s += "chart"
	}
	return s
}

func isPrefix(p string) bool {
	switch p {
	case "hist", "points", "table", "images", "bars":
		return true
	}
	return false
}

// uniqueName returns name, or name-2, name-3 … when an earlier chart of the run took it.
func uniqueName(name string, used map[string]bool) string {
	out := name
	for i := 2; used[strings.ToLower(out)]; i++ {
		out = name + "-" + strconv.Itoa(i)
	}
	used[strings.ToLower(out)] = true
	return out
}
