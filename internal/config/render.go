package config

import (
	"bytes"
	"fmt"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// fileHeader opens the committed config.toml (DefaultFile).
const fileHeader = `# logitlab configuration: every setting the lab reads, at its default value.
#
# The lab starts from these defaults, then reads a config file if you give
# one, then applies overrides from the command line (section.key=value).
# Keys left out of a file keep their defaults; unknown keys and values out of
# range are errors that name the line. Above each setting:
#
#   # what it does
#   # type, allowed values, (live: can change while a run is going), default
#
# Ranges: 1..1000 includes both ends; (0, 1e+06] excludes 0; >= 0 has no
# upper bound. Durations are quoted: "250ms", "1s", "2m".
#
# Generated from internal/config/registry.go: edit the registry, then run
#   go test ./internal/config -run TestConfigFile -update
`

// runHeader opens the resolved config written into each run directory.
const runHeader = `# logitlab run configuration: the settings this run used, after the
# config file and command-line overrides were applied. It is a valid config
# file: load it to repeat the run. Comments give each setting's meaning,
# allowed values and default.
`

// DefaultFile returns the text of the documented config.toml: a header,
// then every setting at its default, each with its help, allowed values and
// default as comments. Loading it gives Default().
func DefaultFile() []byte {
	b, err := render(Default(), fileHeader)
	if err != nil {
		panic(fmt.Sprintf("config: the defaults cannot be written as TOML: %v", err)) // registry bug
	}
	return b
}

// TOML returns c as a commented TOML file, for the run directory. Loading
// the result gives c back. It fails only if a text setting is not valid
// UTF-8, which TOML cannot hold.
func (c Config) TOML() ([]byte, error) {
	return render(c, runHeader)
}

func render(c Config, header string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	ps := params()
	for _, sec := range sections() {
		fmt.Fprintf(&b, "\n# %s\n[%s]\n", sec.Help, sec.Name)
		first := true
		for _, p := range ps {
			if p.Section != sec.Name {
				continue
			}
			v := p.get(&c)
			if s, ok := v.(string); ok && !utf8.ValidString(s) {
				return nil, &Error{Key: p.Name(), Value: literal(v), Msg: "is not valid UTF-8, which a TOML file cannot hold"}
			}
			if !first {
				b.WriteByte('\n')
			}
			first = false
			fmt.Fprintf(&b, "# %s\n# %s\n%s = %s\n", p.Help, describe(p), p.Key, literalFull(v))
		}
	}
	return b.Bytes(), nil
}

// describe is the second comment line of a setting:
// "float, (0, 1e+06], live, default 0.001".
func describe(p Param) string {
	parts := []string{p.Kind.String()}
	switch p.Kind {
	case KindString, KindPath, KindBool:
	default:
		parts = append(parts, p.Allowed())
	}
	if p.Live {
		parts = append(parts, "live")
	}
	parts = append(parts, "default "+literalFull(p.Default))
	return strings.Join(parts, ", ")
}

// Help returns a table of every setting for the command line's help text:
// name, type, default, allowed values and meaning; live settings are marked.
func Help() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tTYPE\tDEFAULT\tALLOWED\tMEANING")
	for _, p := range params() {
		help := p.Help
		if p.Live {
			help += " (live)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name(), p.Kind, literalFull(p.Default), p.Allowed(), help)
	}
	_ = tw.Flush() // writes to a strings.Builder cannot fail
	return b.String()
}
