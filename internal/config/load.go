package config

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// MaxFileBytes bounds a config file; anything larger is not a config.
const MaxFileBytes = 1 << 20

// maxErrors bounds how many problems one Load reports.
const maxErrors = 20

// Load reads the TOML file at path over the defaults. Keys the file leaves
// out keep their defaults. Syntax errors, unknown sections and keys, values
// of the wrong type and values out of range are all reported, each an *Error
// naming the file, line, key, value and what is allowed, joined in file order.
func Load(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return Config{}, fmt.Errorf("config: read %s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return Config{}, &Error{Source: path, Msg: fmt.Sprintf("file is larger than %d bytes; is it really a config file?", MaxFileBytes)}
	}
	return Parse(path, data)
}

// Parse is Load for a document already in memory; name is used in errors.
func Parse(name string, data []byte) (Config, error) {
	src := string(data)
	var raw map[string]any
	md, err := toml.Decode(src, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, &Error{Source: name, Line: syntaxLine(src, pe.Position), Msg: "syntax error: " + pe.Message, Err: err}
		}
		return Config{}, &Error{Source: name, Msg: err.Error(), Err: err}
	}
	d := decoder{name: name, src: src, raw: raw, cfg: Default(), done: make(map[string]bool)}
	for _, k := range md.Keys() {
		d.key(k)
	}
	if len(d.errs) > 0 {
		return Config{}, d.result()
	}
	return d.cfg, nil
}

// syntaxLine returns the line of a syntax error. The toml package counts a
// newline that ends a bad line as the start of the next one; the byte offset
// gives the line the user has to fix.
func syntaxLine(src string, pos toml.Position) int {
	if pos.Start > 0 && pos.Start <= len(src) {
		return 1 + strings.Count(src[:pos.Start], "\n")
	}
	return pos.Line
}

// decoder applies a parsed document to a Config, collecting errors.
type decoder struct {
	name  string
	src   string
	raw   map[string]any
	cfg   Config
	lines map[string]int  // built on the first error
	done  map[string]bool // "[section]" or "section.key" already handled
	errs  []error
	more  int // errors beyond maxErrors
}

func (d *decoder) key(k toml.Key) {
	sec := k[0]
	if d.done["["+sec+"]"] {
		return
	}
	known := sectionNames()
	if !contains(known, sec) {
		d.done["["+sec+"]"] = true
		d.unknownTopLevel(k[:1])
		return
	}
	table, ok := d.raw[sec].(map[string]any)
	if !ok {
		d.done["["+sec+"]"] = true
		d.fail(k[:1], &Error{Key: sec, Value: literal(d.raw[sec]),
			Msg: fmt.Sprintf("must be a table: write [%s] on a line of its own, then its settings, one per line", sec)})
		return
	}
	if len(k) == 1 {
		return
	}
	// Keys below section.key (a table given as a setting's value) are
	// handled, once, as that setting.
	name := sec + "." + k[1]
	if d.done[name] {
		return
	}
	d.done[name] = true
	p, ok := Lookup(name)
	if !ok {
		d.fail(k[:2], &Error{Key: name, Msg: d.unknownKeyMsg(sec, k[1])})
		return
	}
	v := table[k[1]]
	canon, msg := fromTOML(p, v)
	if msg == "" {
		msg = p.check(canon)
	}
	if msg != "" {
		d.fail(k[:2], &Error{Key: name, Value: literal(v), Msg: msg})
		return
	}
	p.set(&d.cfg, canon)
}

// unknownTopLevel reports a top-level key that is not a known section.
func (d *decoder) unknownTopLevel(k toml.Key) {
	name := k[0]
	known := sectionNames()
	_, isTable := d.raw[name].(map[string]any)
	if !isTable {
		// A setting written outside its section?
		for _, p := range params() {
			if p.Key == name {
				d.fail(k, &Error{Key: name, Msg: fmt.Sprintf("unknown top-level key: settings live in sections; write it under [%s] as %s", p.Section, name)})
				return
			}
		}
		d.fail(k, &Error{Key: name, Msg: "unknown top-level key: settings live in the sections " + sectionList(known)})
		return
	}
	msg := "unknown section [" + name + "]: the sections are " + sectionList(known)
	if s, ok := suggest(name, known); ok {
		msg = fmt.Sprintf("unknown section [%s]: did you mean [%s]? (the sections are %s)", name, s, sectionList(known))
	}
	d.fail(k, &Error{Key: name, Msg: msg})
}

// unknownKeyMsg explains an unknown key in a known section.
func (d *decoder) unknownKeyMsg(sec, key string) string {
	var here []string
	for _, p := range params() {
		if p.Section == sec {
			here = append(here, p.Key)
		}
	}
	if s, ok := suggest(key, here); ok {
		return fmt.Sprintf("unknown setting: did you mean %s.%s?", sec, s)
	}
	for _, p := range params() {
		if p.Key == key {
			return fmt.Sprintf("unknown setting: %s belongs in [%s], not [%s]", key, p.Section, sec)
		}
	}
	return fmt.Sprintf("unknown setting: [%s] has %s", sec, strings.Join(here, ", "))
}

// fail records e, located at key k of the document.
func (d *decoder) fail(k toml.Key, e *Error) {
	if len(d.errs) == maxErrors {
		d.more++
		return
	}
	if d.lines == nil {
		d.lines = keyLines(d.src)
	}
	e.Source, e.Line = d.name, lineOf(d.lines, k)
	d.errs = append(d.errs, e)
}

func (d *decoder) result() error {
	errs := d.errs
	if d.more > 0 {
		errs = append(errs, fmt.Errorf("config: %s: %d more problems not shown", d.name, d.more))
	}
	return errors.Join(errs...)
}

// fromTOML converts a decoded TOML value to the canonical type of p's kind,
// or says why it cannot.
func fromTOML(p Param, v any) (any, string) {
	switch p.Kind {
	case KindInt:
		switch v := v.(type) {
		case int64:
			return v, ""
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				return nil, fmt.Sprintf("must be an integer: write %d, without a decimal point or exponent", int64(v))
			}
		}
		return nil, "must be an integer, not " + typeName(v)
	case KindFloat:
		switch v := v.(type) {
		case float64:
			return v, ""
		case int64:
			return float64(v), ""
		}
		return nil, "must be a number, not " + typeName(v)
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, "must be true or false, not " + typeName(v)
	case KindDuration:
		s, ok := v.(string)
		if !ok {
			return nil, `must be a duration in quotes, such as "1s" or "250ms", not ` + typeName(v)
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			return nil, `must be a duration such as "1s", "250ms" or "2m" (units: ns, us, ms, s, m, h)`
		}
		return dur, ""
	case KindString, KindPath, KindEnum:
		if s, ok := v.(string); ok {
			return s, ""
		}
		if p.Kind == KindEnum {
			return nil, "must be one of " + strings.Join(p.Choices, ", ") + " in quotes, not " + typeName(v)
		}
		return nil, "must be a string in quotes, not " + typeName(v)
	}
	return nil, "has an unknown kind"
}

func sectionNames() []string {
	var names []string
	for _, s := range sections() {
		names = append(names, s.Name)
	}
	return names
}

func sectionList(names []string) string { return strings.Join(names, ", ") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
