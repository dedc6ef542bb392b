package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every *Error.
var ErrInvalid = errors.New("config: invalid setting")

// Error reports one bad setting, or a syntax error in a config file.
// Its text names where the setting came from, the key, the value as given and
// what is allowed:
//
//	config.toml:12: train.model = "resnet": must be one of mlp, cnn
//	flag train.epochs = 0: must be between 1 and 1000
//	config: tui.fps = 99: must be between 1 and 30   (from Validate)
type Error struct {
	Source string // file name, "flag", or "" for Validate
	Line   int    // 1-based line in Source; 0 when unknown or not a file
	Key    string // "section.key", "section" or "key"; "" for a syntax error
	Value  string // the value as given, in TOML syntax; "" when not applicable
	Msg    string // what is wrong and what is allowed
	Err    error  // underlying error (a toml.ParseError, say), or nil
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Source == "":
		b.WriteString("config")
	case e.Line > 0:
		fmt.Fprintf(&b, "%s:%d", e.Source, e.Line)
	default:
		b.WriteString(e.Source)
	}
	if e.Source == "flag" {
		b.WriteString(" ")
	} else {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		if e.Value != "" {
			b.WriteString(" = ")
			b.WriteString(e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns ErrInvalid and the underlying error, if any.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// maxShown bounds how much of a value an error message repeats.
const maxShown = 60

// literal renders a decoded TOML value (or a canonical setting value) in
// TOML syntax for messages, shortened to about maxShown bytes.
func literal(v any) string {
	s := literalFull(v)
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func literalFull(v any) string {
	switch v := v.(type) {
	case string:
		return quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return formatFloat(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Duration:
		return quote(formatDuration(v))
	case []any:
		var parts []string
		for i, x := range v {
			if i == 4 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, literalFull(x))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []map[string]any:
		return "[[…]]"
	case map[string]any:
		return "{…}"
	case time.Time: // TOML dates and times; the zone name tells which kind
		switch v.Location().String() {
		case "date-local":
			return v.Format("2006-01-02")
		case "time-local":
			return v.Format("15:04:05.999999999")
		case "datetime-local":
			return v.Format("2006-01-02T15:04:05.999999999")
		}
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// typeName names a decoded TOML value's type for messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}

// formatFloat writes f as a TOML float: always with a '.' or an exponent, so
// that it reads back as a float.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	switch s {
	case "NaN":
		return "nan"
	case "+Inf":
		return "inf"
	case "-Inf":
		return "-inf"
	}
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// quote writes s as a TOML basic string. Invalid UTF-8 bytes become U+FFFD;
// TOML cannot hold them (Config.TOML reports them as an error instead).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// suggest returns the candidate closest to s in edit distance, if it is
// close enough to be a likely typo.
func suggest(s string, candidates []string) (string, bool) {
	best, bestD := "", len(s)/3+2
	for _, c := range candidates {
		if d := EditDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// EditDistance is the Levenshtein distance between a and b, in bytes; inputs longer than
// 64 bytes are never typos of a name (setting, key action or filter key), so they get a huge
// distance instead of a quadratic table.
func EditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
