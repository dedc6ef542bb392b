package tui

import (
	"fmt"
	"math"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/lab"
)

// onLabChanged pulls what is new, marks the frame dirty if anything visible changed, and re-arms the
// doorbell wait for the next frame slot.
func (m *Model) onLabChanged() tea.Cmd {
	now := time.Now()
	if m.pull() {
		m.dirty = true
	}
	return waitLab(m.ctx, m.sub.C(), now.Add(m.frameGap))
}

// pull refreshes the run list and applies the selected run's new events. It reports whether anything
// the view shows has changed.
func (m *Model) pull() bool {
	runs := m.lab.Runs()
	rows := make([]lab.RunInfo, len(runs))
	handles := make(map[string]*lab.Run, len(runs))
	for i, r := range runs {
		rows[i] = r.Info()
		handles[r.ID()] = r
	}
	changed := !sameRows(m.rows, rows)
	m.rows, m.handles = rows, handles
	if m.selectedIndex() < 0 {
		sel := ""
		if len(rows) > 0 {
			sel = rows[0].ID
		}
		changed = changed || sel != m.selected
		m.selected = sel
	}
	sel := m.pullSelected()
	return m.pullCompared() || sel || changed
}

// pullSelected applies the selected run's new events; it reports whether there were any.
func (m *Model) pullSelected() bool {
	r, ok := m.handles[m.selected]
	if !ok {
		return false
	}
	s := m.state(m.selected)
	changed := s.pull(r)
	m.resolvePending(m.selected, s.takeAnswers())
	return changed
}

// sameRows reports whether two run lists would look the same in the list and status line.
func sameRows(a, b []lab.RunInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.Status != y.Status || x.Step != y.Step || x.TotalSteps != y.TotalSteps ||
			x.Reason != y.Reason || x.Settings["lr"] != y.Settings["lr"] {
			return false
		}
	}
	return true
}

// onStarted selects a run started from the launcher and shows the run view, or keeps the launcher
// open and says why the run could not start.
func (m *Model) onStarted(msg startedMsg) tea.Cmd {
	m.dirty = true
	if m.launch != nil {
		m.launch.starting = false
	}
	if msg.err != nil {
		if m.launch != nil {
			m.launch.note = note{"cannot start: " + msg.err.Error(), levelError}
		}
		m.notice = note{"new run: " + msg.err.Error(), levelError}
		return nil
	}
	m.launching = false
	m.pull()
	m.selected = msg.run.ID()
	m.pullSelected()
	m.notice = note{"started " + msg.run.ID(), levelInfo}
	return nil
}

// onKey handles a key press.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	m.dirty = true
	if k.String() == "ctrl+c" || (key.Matches(k, m.keys.Quit) && !m.typing()) {
		m.sub.Close()
		return tea.Quit
	}
	if m.launching {
		return m.onLauncherKey(k)
	}
	if m.confirm != "" {
		return m.onConfirmKey(k)
	}
	if m.showHelp {
		m.showHelp = false
		if key.Matches(k, m.keys.Help) || k.String() == "esc" {
			return nil
		}
	}
	if m.steer != nil && m.onSteerKey(k) {
		return nil
	}
	if m.cmp.edit != nil {
		m.onFilterKey(k)
		return nil
	}
	m.notice = note{}
	if m.zoom && k.String() == "esc" {
		m.zoom = false
		return nil
	}
	if m.onCompareKey(k) {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Help):
		m.showHelp = true
	case key.Matches(k, m.keys.Up):
		m.moveSelection(-1)
	case key.Matches(k, m.keys.Down):
		m.moveSelection(+1)
	case key.Matches(k, m.keys.Smooth):
		m.smooth = !m.smooth
	case key.Matches(k, m.keys.LogY):
		m.logY = !m.logY
	case key.Matches(k, m.keys.Pause):
		m.pauseOrResume()
	case key.Matches(k, m.keys.Stop):
		m.askStop()
	case key.Matches(k, m.keys.LRUp):
		m.scaleLR(2)
	case key.Matches(k, m.keys.LRDown):
		m.scaleLR(0.5)
	case key.Matches(k, m.keys.Next):
		m.cycleFocus(+1)
	case key.Matches(k, m.keys.Prev):
		m.cycleFocus(-1)
	case key.Matches(k, m.keys.Zoom):
		m.zoom = !m.zoom
	case key.Matches(k, m.keys.Older):
		m.stepHistogram(-1)
	case key.Matches(k, m.keys.Newer):
		m.stepHistogram(+1)
	case key.Matches(k, m.keys.Checkpoint):
		m.checkpointNow()
	case key.Matches(k, m.keys.Steer):
		m.openSteer()
	case key.Matches(k, m.keys.NewRun):
		m.newRun()
	case key.Matches(k, m.keys.Export):
		m.exportFocused()
	}
	return nil
}

// stepHistogram shows the focused histogram d epochs older (d < 0) or newer.
func (m *Model) stepHistogram(d int) {
	s := m.selectedState()
	ps := panes(s)
	p := ps[m.focusIndex(ps)]
	if p.kind != paneHist {
		m.notice = note{"focus a histogram pane (tab) to step through its epochs", levelWarn}
		return
	}
	h := s.ex.hists[p.name]
	if !h.step(d) {
		which := "newer"
		if d < 0 {
			which = "older"
		}
		m.notice = note{fmt.Sprintf("no %s %s histogram (%d kept)", which, p.name, len(h.hist)), levelInfo}
	}
}

// onConfirmKey answers the stop confirmation: y stops, anything else cancels.
func (m *Model) onConfirmKey(k tea.KeyPressMsg) tea.Cmd {
	id := m.confirm
	m.confirm = ""
	if !key.Matches(k, m.keys.Confirm) {
		m.notice = note{"stop cancelled", levelInfo}
		return nil
	}
	r, ok := m.handles[id]
	if !ok {
		m.notice = note{"run " + id + " is gone", levelWarn}
		return nil
	}
	m.send(r, lab.Stop(m.user), "stop requested for "+id)
	return nil
}

// moveSelection selects the run d rows below (d < 0: above) the selected one in the list as shown
// (the runs the filter lets through).
func (m *Model) moveSelection(d int) {
	rows := m.visibleRows()
	if len(rows) == 0 {
		return
	}
	i := min(max(rowIndex(rows, m.selected)+d, 0), len(rows)-1)
	if rows[i].ID == m.selected {
		return
	}
	m.selected = rows[i].ID
	m.pullSelected()
	m.pullCompared()
}

// refused reports whether this session may not run action, and if so says so in the notice line.
func (m *Model) refused(action string) bool {
	if m.readOnly {
		m.notice = note{"read-only session: " + action + " refused", levelWarn}
		return true
	}
	return false
}

// target returns the selected run and its fresh summary, or says there is none.
func (m *Model) target() (*lab.Run, lab.RunInfo, bool) {
	r, ok := m.handles[m.selected]
	if !ok {
		m.notice = note{"no run selected", levelWarn}
		return nil, lab.RunInfo{}, false
	}
	info := r.Info()
	if info.Status.Final() || info.Status == lab.StatusInterrupted {
		m.notice = note{fmt.Sprintf("run %s has ended (%s)", info.ID, info.Status), levelWarn}
		return nil, lab.RunInfo{}, false
	}
	return r, info, true
}

// send queues c for r and shows ok, or the error worded by the lab.
func (m *Model) send(r *lab.Run, c lab.Command, ok string) bool {
	if err := r.Send(c); err != nil {
		m.notice = note{err.Error(), levelError}
		return false
	}
	m.notice = note{ok, levelInfo}
	return true
}

func (m *Model) pauseOrResume() {
	action := "pause"
	if info, ok := m.selectedInfo(); ok && info.Status == lab.StatusPaused {
		action = "resume"
	}
	if m.refused(action) {
		return
	}
	r, info, ok := m.target()
	if !ok {
		return
	}
	if info.Status == lab.StatusPaused {
		m.send(r, lab.Resume(m.user), "resume requested")
		return
	}
	m.send(r, lab.Pause(m.user), "pause requested (the run pauses between steps)")
}

func (m *Model) askStop() {
	if m.refused("stop") {
		return
	}
	if _, info, ok := m.target(); ok {
		m.confirm = info.ID
	}
}

// scaleLR asks the selected run for f times the learning rate it last applied.
func (m *Model) scaleLR(f float64) {
	if m.refused("lr change") {
		return
	}
	r, info, ok := m.target()
	if !ok {
		return
	}
	lr, ok := info.Settings["lr"]
	if !ok || !(lr > 0) || math.IsInf(lr, 0) {
		m.notice = note{"run " + info.ID + " reports no learning rate yet; try again after its first step", levelWarn}
		return
	}
	want := lr * f
	if m.send(r, lab.Set("lr", want, m.user), fmt.Sprintf("asked for lr %s (was %s); waiting for the run", fmtNum(want), fmtNum(lr))) {
		m.pending[info.ID] = append(m.pending[info.ID], pendingSet{name: "lr", value: want})
	}
}

// checkpointNow asks the selected run to save a checkpoint between its next steps.
func (m *Model) checkpointNow() {
	if m.refused("checkpoint") {
		return
	}
	if r, _, ok := m.target(); ok {
		m.send(r, lab.Checkpoint(m.user), "checkpoint requested (the run saves it between steps)")
	}
}

// newRun opens the launcher.
func (m *Model) newRun() {
	if m.refused("new run") {
		return
	}
	m.openLauncher()
}
