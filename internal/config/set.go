package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Set applies one override, as given on the command line: key is
// "section.key" and value is written as on a shell line (cnn, 0.01, true,
// 500ms; no TOML quotes). It validates like Load and leaves c unchanged on
// error; the error is an *Error with Source "flag":
//
//	flag train.model = "resnet": must be one of mlp, cnn
func (c *Config) Set(key, value string) error {
	p, ok := Lookup(key)
	if !ok {
		return &Error{Source: "flag", Key: key, Msg: unknownFlagMsg(key)}
	}
	canon, msg := fromText(p, value)
	if msg == "" {
		msg = p.check(canon)
	}
	if msg != "" {
		shown := quote(value)
		if canon != nil && (p.Kind == KindInt || p.Kind == KindFloat || p.Kind == KindBool) {
			shown = value
		}
		return &Error{Source: "flag", Key: key, Value: shown, Msg: msg}
	}
	p.set(c, canon)
	return nil
}

// SetArg applies one "section.key=value" override; see Set.
func (c *Config) SetArg(arg string) error {
	key, value, ok := strings.Cut(arg, "=")
	if !ok {
		return &Error{Source: "flag", Key: arg, Msg: "want section.key=value, such as train.lr=0.01"}
	}
	return c.Set(strings.TrimSpace(key), value)
}

// fromText parses a command-line value into the canonical type of p's kind,
// or says why it cannot.
func fromText(p Param, s string) (any, string) {
	switch p.Kind {
	case KindInt:
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, "must be an integer"
		}
		return v, ""
	case KindFloat:
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, "must be a number, such as 0.01 or 1e-3"
		}
		return v, ""
	case KindBool:
		v, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, "must be true or false"
		}
		return v, ""
	case KindDuration:
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return nil, `must be a duration such as 1s, 250ms or 2m (units: ns, us, ms, s, m, h)`
		}
		return v, ""
	case KindString, KindPath, KindEnum:
		return s, ""
	}
	return nil, "has an unknown kind"
}

// unknownFlagMsg explains an unknown "section.key".
func unknownFlagMsg(key string) string {
	var names []string
	for _, p := range params() {
		names = append(names, p.Name())
	}
	if s, ok := suggest(key, names); ok {
		return fmt.Sprintf("unknown setting: did you mean %s?", s)
	}
	sec, k, _ := strings.Cut(key, ".")
	for _, p := range params() {
		if p.Key == k || (k == "" && p.Key == sec) {
			return fmt.Sprintf("unknown setting: did you mean %s?", p.Name())
		}
	}
	return "unknown setting: the settings are " + strings.Join(names, ", ")
}
