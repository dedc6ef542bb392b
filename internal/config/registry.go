package config

// Section is one TOML table of the config.
type Section struct {
	Name string // TOML table name
	Help string // one line, shown above the table in config.toml
}

// sectionTables lists every table of the config in file order. A new experiment adds its
// section_<name>.go file (a function returning its Section and Params, each pointing at a field of
// its typed struct in Config) and one entry here.
func sectionTables() []func() (Section, []Param) {
	return []func() (Section, []Param){
		labSection,
		trainSection,
		tuiSection,
		sshSection,
		multitaskSection,
		logitsSection,
		distillSection,
		audioSection,
	}
}

// sections lists the tables in file order.
func sections() []Section {
	var out []Section
	for _, f := range sectionTables() {
		s, _ := f()
		out = append(out, s)
	}
	return out
}

// params is the registry: every setting the lab reads, in file order within
// its section. It is built fresh on each call so that no caller can change it.
func params() []Param {
	var out []Param
	for _, f := range sectionTables() {
		_, ps := f()
		out = append(out, ps...)
	}
	return out
}
