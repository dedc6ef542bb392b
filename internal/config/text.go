package config

import (
	"fmt"
	"strconv"
	"time"
)

// Text formats v, a value of p's canonical type, as Set accepts it back: 0.001, 12, true, 250ms, cnn.
// Set(p.Name(), p.Text(v)) stores v unchanged. It panics if v is not of the canonical type, which
// is a programming error.
func (p Param) Text(v any) string {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Duration:
		return formatDuration(v)
	case string:
		return v
	}
	panic(fmt.Sprintf("config: %s: Text of a %T", p.Name(), v))
}

// Text returns the setting named "section.key" in c as Set accepts it (see Param.Text).
func (c Config) Text(key string) (string, bool) {
	p, ok := Lookup(key)
	if !ok {
		return "", false
	}
	return p.Text(p.get(&c)), true
}
