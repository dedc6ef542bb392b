// Package config holds every setting of the lab, documented in one place.
//
// The registry (registry.go) is the single source of truth: for each setting
// it gives the TOML section and key, the kind of value, the default, the
// allowed range or choices, one line of help, and whether the setting may
// change while a run is going (Live). From it come
//
//   - the defaults (Default),
//   - validation of files, flags and forms (Load, Parse, Set, Validate),
//     with errors that name the file and line, the key, the value given and
//     what is allowed, e.g.
//     config.toml:12: train.model = "resnet": must be one of mlp, cnn
//   - the documented config.toml at the repository root (DefaultFile; a test
//     keeps the committed file equal to it, and
//     go test ./internal/config -run TestConfigFile -update rewrites it),
//   - the resolved config written into each run directory (Config.TOML),
//   - the settings table the command line prints (Help),
//   - the launcher's settings forms in the terminal UI, which edit through
//     Set and show values with Param.Text (the text Set accepts back).
//
// Presets (presets.go) are named value sets per experiment, a quick demo and
// a paper-like one, which the launcher applies with one key and a command
// line can pass as --set overrides (Preset.Overrides).
//
// A file is read over the defaults: keys it leaves out keep their defaults.
// Unknown sections and keys are errors, not silently ignored.
//
// To add a section (an experiment's settings): add a Section to sections(),
// a typed struct field to Config, and its Params to params(); each Param
// points at its field, and TestRegistry checks kinds, defaults and bounds.
package config
