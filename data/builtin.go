package data

import (
	"embed"
	"fmt"
	"io/fs"
)

// builtinFS holds the subsets cut by scripts/cut-builtin, their license notices and SHA256SUMS.
//
//go:embed builtin
var builtinFS embed.FS

// builtinNotices maps a data set to the license notice embedded beside its subset.
func builtinNotices() map[string]string {
	return map[string]string{
		"mnist":   "builtin/NOTICE-MNIST",
		"fashion": "builtin/NOTICE-fashion-mnist",
	}
}

// BuiltinNotice returns the license notice of a built-in subset ("mnist" or "fashion"). A program that
// ships the built-in data ships these notices too; MNIST's CC BY-SA 3.0 asks for the attribution.
func BuiltinNotice(name string) (string, error) {
	ds, err := lookup(name)
	if err != nil {
		return "", err
	}
	path, ok := builtinNotices()[ds.key]
	if !ok {
		return "", fmt.Errorf("data: %s has no built-in subset, so no notice", ds.title)
	}
	b, err := fs.ReadFile(builtinFS, path)
	if err != nil {
		return "", fmt.Errorf("data: read embedded %s: %w (the binary is damaged: rebuild logitlab)", path, err)
	}
	return string(b), nil
}

// builtinSub returns the embedded folder of one data set's subset.
func builtinSub(key string) (fs.FS, error) {
	return fs.Sub(builtinFS, "builtin/"+key)
}
