package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a setting's value. Each Kind has one canonical Go type,
// used for Param.Default, Param.Min, Param.Max and Config.Value.
type Kind int

const (
	KindInt      Kind = iota + 1 // int64 (the Config field may be int or int64)
	KindFloat                    // float64, finite
	KindString                   // string
	KindPath                     // string naming a file or directory; no NUL bytes
	KindBool                     // bool
	KindDuration                 // time.Duration, written "1s", "250ms", "2m"
	KindEnum                     // string, one of Param.Choices
)

// String returns the kind's name as the help text shows it.
func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindString:
		return "string"
	case KindPath:
		return "path"
	case KindBool:
		return "bool"
	case KindDuration:
		return "duration"
	case KindEnum:
		return "enum"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Param describes one setting.
type Param struct {
	Section string // TOML table, e.g. "train"
	Key     string // key within the table, e.g. "lr"
	Kind    Kind
	Default any // canonical type of Kind
	// Min and Max bound KindInt, KindFloat and KindDuration values; nil means
	// unbounded. MinOpen and MaxOpen exclude the bound itself.
	Min, Max         any
	MinOpen, MaxOpen bool
	Choices          []string // KindEnum: the allowed values, in display order
	Help             string   // one line, lowercase, no final period
	Live             bool     // may change while a run is going
	Flag             string   // an extra command-line name for the setting (distill.temperatures: "T"); "" for none

	field func(c *Config) any // pointer to the setting's field in c
}

// Name returns "section.key".
func (p Param) Name() string { return p.Section + "." + p.Key }

// Allowed describes the allowed values compactly, as in help text:
// "1..1000", "(0, 1e+06]", ">= 0", "mlp|cnn", "100ms..1m0s".
func (p Param) Allowed() string {
	switch p.Kind {
	case KindEnum:
		return strings.Join(p.Choices, "|")
	case KindBool:
		return "true|false"
	case KindString:
		return "any text"
	case KindPath:
		return "a path"
	}
	lo, hi := p.bound(p.Min), p.bound(p.Max)
	switch {
	case p.Min == nil && p.Max == nil:
		return "any"
	case p.Max == nil:
		return map[bool]string{false: ">= ", true: "> "}[p.MinOpen] + lo
	case p.Min == nil:
		return map[bool]string{false: "<= ", true: "< "}[p.MaxOpen] + hi
	case p.Kind != KindFloat && !p.MinOpen && !p.MaxOpen:
		return lo + ".." + hi
	}
	l, r := "[", "]"
	if p.MinOpen {
		l = "("
	}
	if p.MaxOpen {
		r = ")"
	}
	return l + lo + ", " + hi + r
}

// bound formats a Min or Max for display.
func (p Param) bound(v any) string {
	if v == nil {
		return ""
	}
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Duration:
		return formatDuration(v)
	}
	return fmt.Sprint(v)
}

// formatDuration is time.Duration.String without zero trailing units:
// "1m" rather than "1m0s", "2h" rather than "2h0m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// check returns why v (of the canonical type) is not allowed, or "".
func (p Param) check(v any) string {
	switch p.Kind {
	case KindEnum:
		s, _ := v.(string)
		for _, c := range p.Choices {
			if s == c {
				return ""
			}
		}
		return "must be one of " + strings.Join(p.Choices, ", ")
	case KindPath:
		if strings.ContainsRune(v.(string), 0) {
			return "must not contain a NUL byte"
		}
		return ""
	case KindFloat:
		if f := v.(float64); math.IsNaN(f) || math.IsInf(f, 0) {
			return "must be a finite number"
		}
	case KindInt, KindDuration:
	default:
		return ""
	}
	if !p.inRange(v) {
		return "must be " + p.rangeWords()
	}
	return ""
}

// inRange compares v with Min and Max; v, Min and Max share a canonical type.
func (p Param) inRange(v any) bool {
	cmp := func(b any) int { // sign of v - b
		switch v := v.(type) {
		case int64:
			return compare(v, b.(int64))
		case float64:
			return compare(v, b.(float64))
		case time.Duration:
			return compare(v, b.(time.Duration))
		}
		panic(fmt.Sprintf("config: %s: no order on %T", p.Name(), v))
	}
	if p.Min != nil {
		if c := cmp(p.Min); c < 0 || (c == 0 && p.MinOpen) {
			return false
		}
	}
	if p.Max != nil {
		if c := cmp(p.Max); c > 0 || (c == 0 && p.MaxOpen) {
			return false
		}
	}
	return true
}

func compare[T int64 | float64 | time.Duration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rangeWords says the range in words: "between 1 and 1000",
// "greater than 0 and at most 1e+06", "at least 0".
func (p Param) rangeWords() string {
	lo, hi := p.bound(p.Min), p.bound(p.Max)
	if p.Min != nil && p.Max != nil && !p.MinOpen && !p.MaxOpen {
		return "between " + lo + " and " + hi
	}
	var parts []string
	if p.Min != nil {
		parts = append(parts, map[bool]string{false: "at least ", true: "greater than "}[p.MinOpen]+lo)
	}
	if p.Max != nil {
		parts = append(parts, map[bool]string{false: "at most ", true: "less than "}[p.MaxOpen]+hi)
	}
	return strings.Join(parts, " and ")
}

// get returns the setting's value in c, in its canonical type.
func (p Param) get(c *Config) any {
	switch f := p.field(c).(type) {
	case *int:
		return int64(*f)
	case *int64:
		return *f
	case *float64:
		return *f
	case *string:
		return *f
	case *bool:
		return *f
	case *time.Duration:
		return *f
	}
	panic(fmt.Sprintf("config: %s: unsupported field type %T", p.Name(), p.field(c)))
}

// set stores v, of the canonical type and already checked, in c.
func (p Param) set(c *Config, v any) {
	switch f := p.field(c).(type) {
	case *int:
		*f = int(v.(int64))
	case *int64:
		*f = v.(int64)
	case *float64:
		*f = v.(float64)
	case *string:
		*f = v.(string)
	case *bool:
		*f = v.(bool)
	case *time.Duration:
		*f = v.(time.Duration)
	default:
		panic(fmt.Sprintf("config: %s: unsupported field type %T", p.Name(), f))
	}
}
