package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/logitlab/logitlab/internal/chartexport"
	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/internal/fsutil"
	"github.com/logitlab/logitlab/lab"
)

const exportSynopsis = `logitlab export RUN --csv [FILE]                       per-step metrics (default <run dir>/metrics.csv)
       logitlab export RUN --chart KEY [--png FILE] [--csv FILE]  one chart (default <run dir>/exports/<key>.png and .csv)
       logitlab export RUN --all [--dir DIR]                  every chart as DIR/<key>.png and .csv (default <run dir>/exports)
       logitlab export RUN --list                             the run's chart keys`

// exportFlags are the flags of `logitlab export`.
type exportFlags struct {
	fs         *flag.FlagSet
	csv        optionalPath
	png        *string
	out        *string
	chart      *string
	all        *bool
	dir        *string
	list       *bool
	logY       *bool
	step       *int64
	width      *int
	height     *int
	configPath *string
	sf         settingFlags
}

func (a *app) newExportFlags(out io.Writer) *exportFlags {
	f := &exportFlags{fs: a.newFlagSet("export", exportSynopsis)}
	fs := f.fs
	fs.SetOutput(out)
	fs.Var(&f.csv, "csv", "write CSV: without --chart the per-step metrics, with it the chart's data; to FILE when given (- for stdout)")
	f.png = fs.String("png", "", "with --chart: write the chart's PNG to `FILE` (- for stdout)")
	f.out = fs.String("out", "", "without --chart: the metrics CSV file (the same as --csv FILE)")
	f.chart = fs.String("chart", "", "the chart to export, by `KEY` (loss, acc, hist:NAME, points:NAME, table:NAME, images:NAME, bars:NAME; see --list)")
	f.all = fs.Bool("all", false, "export every chart of the run as PNG and CSV")
	f.dir = fs.String("dir", "", "with --all: the output folder (default: <run dir>/exports)")
	f.list = fs.Bool("list", false, "list the run's charts: key, kind, file name and what each holds")
	f.logY = fs.Bool("log-y", false, "draw the loss chart on a logarithmic y axis")
	f.step = fs.Int64("step", 0, "export the histogram logged at step `N` (default: the latest)")
	f.width = fs.Int("width", 960, "PNG width in pixels of charts on axes (240–4096)")
	f.height = fs.Int("height", 600, "PNG height in pixels of charts on axes (240–4096)")
	f.configPath = fs.String("config", "", "settings file (default: ./config.toml when present)")
	f.sf.register(fs, "lab")
	return f
}

// optionalPath is a flag that may stand alone (--csv) or take a path (--csv FILE, --csv=FILE).
type optionalPath struct {
	set  bool
	path string
}

func (p *optionalPath) String() string { return p.path }

func (p *optionalPath) Set(v string) error {
	switch v {
	case "true":
		p.set = true
	case "false":
		p.set, p.path = false, ""
	default:
		p.set, p.path = true, v
	}
	return nil
}

func (p *optionalPath) IsBoolFlag() bool { return true }

// joinOptionalPaths rewrites "--csv FILE" as "--csv=FILE" (FILE being anything but a flag, or -),
// so that the flag package, which takes no separate value for a flag that may stand alone, sees
// the path.
func joinOptionalPaths(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--csv" || a == "-csv") && i+1 < len(args) && (args[i+1] == "-" || !strings.HasPrefix(args[i+1], "-")) {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// exportCmd writes a run's data as files: per-step metrics as CSV (--csv, as before), one chart
// as PNG and CSV (--chart KEY), or every chart (--all); --list names the charts. --help with a
// run lists that run's charts too.
func (a *app) exportCmd(args []string) error {
	id := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		id, args = args[0], args[1:]
	}
	args = joinOptionalPaths(args)
	f := a.newExportFlags(a.stderr)
	if err := parse(f.fs, args); err != nil {
		if errors.Is(err, errHelp) && id != "" {
			a.exportHelpCharts(id, args)
		}
		return err
	}
	if fs := f.fs; fs.NArg() > 0 {
		return usagef("export: unexpected argument %q; see logitlab export --help", fs.Arg(0))
	}
	modes := 0
	for _, on := range []bool{*f.list, *f.all, *f.chart != "", f.csv.set || *f.out != ""} {
		if on {
			modes++
		}
	}
	switch {
	case id == "":
		return usagef("export: name a run (logitlab runs lists them):\n  %s", exportSynopsis)
	case modes == 0 && *f.png == "":
		return usagef("export: say what to write:\n  %s", exportSynopsis)
	case *f.png != "" && *f.chart == "":
		return usagef("export: --png needs --chart KEY (logitlab export %s --list names the charts)", id)
	case *f.chart != "" && *f.out != "":
		return usagef("export: with --chart, give the files as --png FILE and --csv FILE (--out is for the metrics CSV)")
	case *f.dir != "" && !*f.all:
		return usagef("export: --dir goes with --all; for one chart give --png FILE and --csv FILE")
	case (*f.list || *f.all) && modes > 1:
		return usagef("export: --list, --all and --chart go one at a time")
	case f.csv.path == "-" && *f.png == "-":
		return usagef("export: only one of --png and --csv can go to stdout")
	}
	cfg, err := loadConfig(*f.configPath)
	if err != nil {
		return err
	}
	if err := f.sf.apply(&cfg); err != nil {
		return err
	}
	r, err := a.loadRun(cfg, id)
	if err != nil {
		return err
	}
	if !*f.list && !*f.all && *f.chart == "" {
		path := f.csv.path
		if path == "" {
			path = *f.out
		}
		return a.writeOut(r, path, filepath.Join(r.Dir(), "metrics.csv"), func(w io.Writer) error { return writeMetricsCSV(w, r) })
	}
	evs, _ := r.Since(0)
	charts := chartexport.FromEvents(evs)
	o := chartexport.Options{Width: *f.width, Height: *f.height, LogY: *f.logY, HistStep: *f.step, Title: id}
	switch {
	case *f.list:
		return a.listCharts(charts, id)
	case *f.all:
		dir := *f.dir
		if dir == "" {
			dir = filepath.Join(r.Dir(), "exports")
		}
		files, err := charts.ExportAll(dir, o)
		for _, fl := range files {
			fmt.Fprintln(a.stdout, fl.PNG)
			fmt.Fprintln(a.stdout, fl.CSV)
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", id, err)
		}
		return nil
	}
	ch, err := charts.Lookup(*f.chart)
	if err == nil {
		err = charts.WriteCSV(io.Discard, ch.Key, o) // a histogram step that was never logged
	}
	if err != nil {
		return usagef("export %s: %v (logitlab export %s --list describes the charts)", id, err, id)
	}
	wantPNG, wantCSV := *f.png != "", f.csv.set
	if !wantPNG && !wantCSV { // neither asked for: both, into the run's exports folder
		wantPNG, wantCSV = true, true
	}
	exports := filepath.Join(r.Dir(), "exports")
	if wantPNG {
		if err := a.writeOut(r, *f.png, filepath.Join(exports, ch.File+".png"),
			func(w io.Writer) error { return charts.WritePNG(w, ch.Key, o) }); err != nil {
			return err
		}
	}
	if wantCSV {
		return a.writeOut(r, f.csv.path, filepath.Join(exports, ch.File+".csv"),
			func(w io.Writer) error { return charts.WriteCSV(w, ch.Key, o) })
	}
	return nil
}

// writeOut renders with write and puts the bytes on stdout (path "-"), into path, or into def
// when path is "" (creating its folder); each file is written atomically and its path printed.
func (a *app) writeOut(r *lab.Run, path, def string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("export %s: %w", r.ID(), err)
	}
	if path == "-" {
		_, err := a.stdout.Write(buf.Bytes())
		return err
	}
	if path == "" {
		path = def
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("export %s: create %s (is the runs directory writable?): %w", r.ID(), filepath.Dir(path), err)
		}
	}
	if err := fsutil.WriteFileAtomic(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("export %s: write %s (does its folder exist and is it writable?): %w", r.ID(), path, err)
	}
	fmt.Fprintln(a.stdout, path)
	return nil
}

// loadRun finds run id in the configured runs directory.
func (a *app) loadRun(cfg config.Config, id string) (*lab.Run, error) {
	l, err := a.newLab(cfg)
	if err != nil {
		return nil, err
	}
	l.LoadRuns()
	r, ok := l.Run(id)
	if !ok {
		return nil, fmt.Errorf("export: no run %q in %s; `logitlab runs` lists them (or set --runs-dir)", id, cfg.Lab.RunsDir)
	}
	return r, nil
}

// listCharts prints the run's charts, one per line.
func (a *app) listCharts(charts *chartexport.Charts, id string) error {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHART\tKIND\tFILE\tHOLDS")
	for _, ch := range charts.List() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ch.Key, ch.Kind, ch.File, ch.Info)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "export one with: logitlab export %s --chart KEY; all with: logitlab export %s --all\n", id, id)
	return nil
}

// exportHelpCharts follows the --help text of `logitlab export RUN --help` with RUN's charts, when
// the run can be found (the other flags given, such as --runs-dir, are honoured).
func (a *app) exportHelpCharts(id string, args []string) {
	rest := slices.DeleteFunc(slices.Clone(args), func(s string) bool {
		return s == "-h" || s == "--h" || s == "-help" || s == "--help"
	})
	f := a.newExportFlags(io.Discard)
	if f.fs.Parse(rest) != nil {
		return
	}
	cfg, err := loadConfig(*f.configPath)
	if err != nil || f.sf.apply(&cfg) != nil {
		return
	}
	r, err := a.loadRun(cfg, id)
	if err != nil {
		fmt.Fprintf(a.stderr, "\n%v\n", err)
		return
	}
	evs, _ := r.Since(0)
	fmt.Fprintf(a.stderr, "\nCharts of %s (--chart KEY):\n", id)
	for _, ch := range chartexport.FromEvents(evs).List() {
		fmt.Fprintf(a.stderr, "  %-36s %s\n", ch.Key, ch.Info)
	}
}
