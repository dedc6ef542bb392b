package config

import (
	"strconv"
	"strings"
)

// keyLines finds the line on which each table and key of a TOML document is
// defined, for error messages. The toml package keeps key positions private,
// so this is a small scanner that recognizes table headers ([a.b], [[a]]) and
// key lines (a.b = …) and skips strings, multi-line strings, comments and
// multi-line arrays and inline tables. It is only run on documents the toml
// package has already parsed; keys inside inline tables are not recorded
// (lineOf then falls back to the enclosing key, on the same line). Keys are
// joined with "\x00".
func keyLines(src string) map[string]int {
	lines := make(map[string]int)
	var (
		ctx   []string // current table
		inML  string   // closing delimiter of an open multi-line string
		depth int      // open brackets and braces in a value
	)
	record := func(key []string, line int) {
		k := strings.Join(key, "\x00")
		if _, ok := lines[k]; !ok {
			lines[k] = line
		}
	}
	for n, text := range strings.Split(src, "\n") {
		line := n + 1
		if inML != "" || depth > 0 {
			inML, depth = scanValue(text, inML, depth)
			continue
		}
		s := strings.TrimLeft(text, " \t")
		switch {
		case s == "" || s[0] == '#':
			continue
		case strings.HasPrefix(s, "[["):
			if key, _, ok := parseKey(s[2:]); ok {
				ctx = key
				record(ctx, line)
			}
			continue
		case s[0] == '[':
			if key, _, ok := parseKey(s[1:]); ok {
				ctx = key
				record(ctx, line)
			}
			continue
		}
		key, rest, ok := parseKey(s)
		if !ok || !strings.HasPrefix(rest, "=") {
			// Not a key line; still track strings and brackets.
			inML, depth = scanValue(s, inML, depth)
			continue
		}
		full := append(append([]string(nil), ctx...), key...)
		for i := len(ctx) + 1; i <= len(full); i++ {
			record(full[:i], line) // a.b.c = 1 also defines a and a.b
		}
		inML, depth = scanValue(rest[1:], inML, depth)
	}
	return lines
}

// lineOf returns the line of key, or of its nearest enclosing table or key
// that has one, or 0.
func lineOf(lines map[string]int, key []string) int {
	for i := len(key); i > 0; i-- {
		if l, ok := lines[strings.Join(key[:i], "\x00")]; ok {
			return l
		}
	}
	return 0
}

// parseKey reads a dotted key (bare, "basic" or 'literal' parts) and returns
// its parts and the text after it with leading blanks removed.
func parseKey(s string) (parts []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		var part string
		switch s[0] {
		case '"':
			end := closingQuote(s)
			if end < 0 {
				return nil, "", false
			}
			u, err := unescape(s[1:end])
			if err != nil {
				return nil, "", false
			}
			part, s = u, s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			part, s = s[1:end+1], s[end+2:]
		default:
			i := 0
			for i < len(s) && isBare(s[i]) {
				i++
			}
			if i == 0 {
				return nil, "", false
			}
			part, s = s[:i], s[i:]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t")
		if !strings.HasPrefix(s, ".") {
			return parts, s, true
		}
		s = s[1:]
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// closingQuote returns the index of the '"' that ends the basic string
// starting at s[0], or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// unescape decodes the escapes of a TOML basic string.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	// TOML's escapes are Go's, plus \e; Go's \x means a byte where TOML's
	// means a code point, which only matters above \x7f.
	s = strings.ReplaceAll(s, `\e`, `\x1b`)
	return strconv.Unquote(`"` + s + `"`)
}

// scanValue follows strings, comments and brackets through one line of a
// value and returns the multi-line string delimiter still open ("" for none)
// and the bracket depth at the end of the line.
func scanValue(s, inML string, depth int) (string, int) {
	i := 0
	for i < len(s) {
		if inML != "" {
			end := indexClosing(s[i:], inML)
			if end < 0 {
				return inML, depth
			}
			i += end + 3
			for i < len(s) && s[i] == inML[0] { // up to two quotes may end the content
				i++
			}
			inML = ""
			continue
		}
		switch c := s[i]; {
		case c == '#':
			return "", depth
		case strings.HasPrefix(s[i:], `"""`) || strings.HasPrefix(s[i:], `'''`):
			inML = s[i : i+3]
			i += 3
		case c == '"':
			end := closingQuote(s[i:])
			if end < 0 {
				return "", depth
			}
			i += end + 1
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return "", depth
			}
			i += end + 2
		case c == '[' || c == '{':
			depth++
			i++
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			i++
		default:
			i++
		}
	}
	return inML, depth
}

// indexClosing finds the delimiter that closes a multi-line string in s,
// skipping backslash escapes in basic ("""-delimited) strings.
func indexClosing(s, delim string) int {
	for i := 0; i+3 <= len(s); i++ {
		if delim == `"""` && s[i] == '\\' {
			i++
			continue
		}
		if s[i:i+3] == delim {
			return i
		}
	}
	return -1
}
