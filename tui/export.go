package tui

import (
	"path/filepath"

	"github.com/logitlab/logitlab/internal/chartexport"
)

// exportFocused writes the focused pane's chart as PNG and CSV into the selected run's exports/
// folder (see internal/chartexport), drawn as the pane shows it: log-y and smoothing as toggled, a
// histogram at the epoch on screen. The notice line names the files, or says why it could not.
// It runs in Update: the files are small, written atomically, and the key is pressed rarely.
// Read-only sessions are refused, since it writes to the lab's disk.
func (m *Model) exportFocused() {
	if m.refused("export") {
		return
	}
	r, ok := m.handles[m.selected]
	if !ok {
		m.notice = note{"no run selected", levelWarn}
		return
	}
	s := m.selectedState()
	ps := panes(s)
	p := ps[m.focusIndex(ps)]
	o := chartexport.Options{LogY: m.logY, Title: r.ID()}
	if m.smooth {
		o.Smooth = m.weight
	}
	if h, ok := s.ex.hists[p.name]; ok && p.kind == paneHist && len(h.hist) > 0 {
		shown, _ := h.shown()
		o.HistStep = shown.Step
	}
	evs, _ := r.Since(0)
	f, err := chartexport.FromEvents(evs).Export(filepath.Join(r.Dir(), "exports"), p.key, o)
	if err != nil {
		m.notice = note{"export " + p.key + ": " + err.Error(), levelError}
		return
	}
	m.notice = note{"exported " + p.key + " → " + f.PNG + " and " + filepath.Base(f.CSV), levelInfo}
}
