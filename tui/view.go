package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/logitlab/logitlab/lab"
)

// Layout limits. Below minWidth×minHeight the view only says the terminal is too small.
const (
	minWidth    = 60
	minHeight   = 16
	statusLines = 4 // status, metrics, run note, notice/help
)

// render builds one frame of exactly m.width × m.height cells:
//
//	╭ runs ─────╮╭ loss ─────────────────────────╮
//	│▸● run-a   ││ (loss chart, 3/5 of the height)│
//	│ ✗ run-b   │╰───────────────────────────────╯
//	│           │╭ test accuracy ────────────────╮
//	╰───────────╯╰───────────────────────────────╯
//	status · step · epoch · ETA
//	loss · acc · lr · samples/s          header
//	what the run said last (failures in red)
//	notice, confirmation, or the key help
//
// A run that emits generic events (histograms, point charts, tables, galleries) gets one more pane
// for each; the panes share the area right of the run list as a grid (panes.go), a page at a time
// when they do not all fit, and `z` zooms the focused pane to the whole area above the status lines.
func (m *Model) render() string {
	if m.cmp.on {
		return m.renderCompare()
	}
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	info, hasRun := m.selectedInfo()
	var s *runState
	if hasRun {
		s = m.state(info.ID)
	}
	ps := panes(s)
	return m.layout(ps, m.focusIndex(ps), s, func(pager string) []string {
		return m.status(info, s, hasRun, m.width, pager)
	})
}

// tooSmall is the whole frame when the terminal is below minWidth × minHeight.
func (m *Model) tooSmall() string {
	return placeText(m.width, m.height, fmt.Sprintf("terminal too small (%d×%d): logitlab needs at least %d×%d",
		m.width, m.height, minWidth, minHeight))
}

// layout lays out one frame of the run and compare views: the run list and the pane grid (or the
// focused pane zoomed), the status lines that status returns for the grid's pager text, and the
// steering and help overlays. s is the run whose state the panes draw (nil in compare mode).
func (m *Model) layout(ps []pane, fi int, s *runState, status func(pager string) []string) string {
	w, h := m.width, m.height
	paneH := h - statusLines
	listW := min(max(w/4, 22), 40)
	var body, pager string
	if m.zoom {
		body = m.drawPane(ps[fi], s, w, paneH, true)
		pager = fmt.Sprintf("zoom: pane %d of %d · z", fi+1, len(ps))
	} else {
		list := m.box(m.listTitle(), m.runList(listW-2, paneH-2), listW, paneH)
		var area string
		area, pager = m.paneArea(ps, fi, s, w-listW, paneH)
		body = lipgloss.JoinHorizontal(lipgloss.Top, list, area)
	}
	out := strings.Join(append([]string{body}, status(pager)...), "\n")
	if m.steer != nil {
		out = m.withSteer(out, w, h)
	}
	if m.showHelp {
		out = m.withHelp(out, w, h)
	}
	return out
}

// box frames content (height-2 lines of width-2 cells) with a rounded border and a title.
func (m *Model) box(title string, content string, width, height int) string {
	return m.paneBox(title, content, width, height, false)
}

// paneBox is box with the border of the focused pane when focused is set.
func (m *Model) paneBox(title string, content string, width, height int, focused bool) string {
	iw := width - 2
	title = truncate(title, max(iw-4, 0))
	fill := max(iw-2-lipgloss.Width(title)-1, 0)
	b := m.st.border
	if focused {
		b = m.st.focus
	}
	var sb strings.Builder
	sb.WriteString(b.Render("╭─ ") + m.st.title.Render(title) + b.Render(" "+strings.Repeat("─", fill)+"╮"))
	rows := strings.Split(content, "\n")
	for i := 0; i < height-2; i++ {
		row := ""
		if i < len(rows) {
			row = rows[i]
		}
		sb.WriteString("\n" + b.Render("│") + pad(row, iw) + b.Render("│"))
	}
	sb.WriteString("\n" + b.Render("╰"+strings.Repeat("─", iw)+"╯"))
	return sb.String()
}

// runList renders the run list (the runs the filter lets through), scrolled so that the selected
// run is visible. Marked and pinned runs carry a mark after their status (markGlyph).
func (m *Model) runList(width, height int) string {
	rows := m.visibleRows()
	if len(rows) == 0 {
		if len(m.rows) > 0 {
			return m.st.warn.Render(m.filterEmptyText())
		}
		msg := []string{"no runs yet"}
		if m.start != nil && !m.readOnly {
			msg = append(msg, "press n to start one")
		}
		return m.st.dim.Render(strings.Join(msg, "\n"))
	}
	sel := rowIndex(rows, m.selected)
	start := 0
	if len(rows) > height {
		start = min(max(sel-height/2, 0), len(rows)-height)
	}
	var out []string
	for i := start; i < len(rows) && i < start+height; i++ {
		r := rows[i]
		right := ""
		if r.TotalSteps > 0 {
			right = fmt.Sprintf(" %3.0f%%", 100*float64(r.Step)/float64(r.TotalSteps))
		}
		idW := max(width-3-lipgloss.Width(right), 1)
		id := pad(truncateMiddle(r.ID, idW), idW)
		if i == sel {
			out = append(out, m.st.selected.Render(pad("▸"+statusGlyph(r.Status)+ansi.Strip(m.markGlyph(r.ID))+id+right, width)))
			continue
		}
		out = append(out, " "+m.st.forStatus(r.Status).Render(statusGlyph(r.Status))+m.markGlyph(r.ID)+id+m.st.dim.Render(right))
	}
	return strings.Join(out, "\n")
}

// status renders the statusLines lines under the panes.
// pager, when set, says which panes are shown; it goes at the right of the first line.
func (m *Model) status(info lab.RunInfo, s *runState, ok bool, width int, pager string) []string {
	lbl, val := m.st.label, m.st.value
	sep := m.st.dim.Render(" · ")
	var l1, l2 []string
	var runNote note
	if ok {
		l1 = append(l1, m.st.forStatus(info.Status).Render(statusGlyph(info.Status)+" "+string(info.Status)), val.Render(info.ID))
		step := fmtInt(info.Step)
		if info.TotalSteps > 0 {
			step += "/" + fmtInt(info.TotalSteps)
		}
		l1 = append(l1, lbl.Render("step ")+val.Render(step))
		if s.hasStep {
			l1 = append(l1, lbl.Render("epoch ")+val.Render(strconv.Itoa(s.step.Epoch)))
		}
		if eta := etaText(info, s); eta != "" {
			l1 = append(l1, lbl.Render("ETA ")+val.Render(eta))
		}
		if s.hasStep {
			l2 = append(l2, lbl.Render("loss ")+val.Render(fmtNum(s.step.Loss)))
		}
		if s.hasEval {
			name := "test acc "
			if width < 100 {
				name = "acc "
			}
			l2 = append(l2, lbl.Render(name)+val.Render(fmtPct(s.eval.TestAcc)))
		}
		if lr, ok := info.Settings["lr"]; ok {
			l2 = append(l2, lbl.Render("lr ")+val.Render(fmtNum(lr)))
		}
		if s.hasStep {
			l2 = append(l2, val.Render(fmt.Sprintf("%.0f", s.step.SamplesPerSec))+lbl.Render(" samples/s"))
		}
		runNote = s.last
		if info.Status == lab.StatusFailed || info.Status == lab.StatusInterrupted {
			runNote = note{string(info.Status) + ": " + info.Reason, levelError}
			if s.last.level == levelError {
				runNote = s.last
			}
		}
	} else {
		l1 = append(l1, m.st.dim.Render("no run selected"))
	}
	left1 := " " + strings.Join(l1, sep)
	if pager != "" {
		p := m.st.dim.Render(pager)
		left1 = truncate(left1, max(width-lipgloss.Width(p)-2, 0))
		left1 += strings.Repeat(" ", max(width-1-lipgloss.Width(left1)-lipgloss.Width(p), 0)) + p
	}
	left2 := strings.Join(l2, sep)
	if m.header != "" {
		avail := width - 1 // after the leading blank
		hdr := m.st.dim.Render(truncate(m.header, avail/2))
		left2 = truncate(left2, max(avail-lipgloss.Width(hdr)-2, 0))
		left2 += strings.Repeat(" ", max(avail-lipgloss.Width(left2)-lipgloss.Width(hdr), 0)) + hdr
	}
	return []string{
		pad(left1, width),
		pad(" "+left2, width),
		pad(" "+m.st.forLevel(runNote.level).Render(runNote.text), width),
		pad(" "+m.bottomLine(width-1), width),
	}
}

// bottomLine is the filter line being typed, else the stop confirmation, else this user's last
// notice, else the key help.
func (m *Model) bottomLine(width int) string { return m.bottomLineWith(width, m.keys.ShortHelp()) }

// bottomLineWith is bottomLine with keys as the key help.
func (m *Model) bottomLineWith(width int, keys []key.Binding) string {
	switch {
	case m.cmp.edit != nil:
		return m.filterPrompt(width)
	case m.confirm != "":
		return m.st.warn.Render("stop run " + m.confirm + "? it can be resumed from its last checkpoint  [y/n]")
	case m.notice.text != "":
		return m.st.forLevel(m.notice.level).Render(m.notice.text)
	}
	h := m.help
	h.SetWidth(width)
	return h.ShortHelpView(keys)
}

// withHelp draws the `?` overlay, generated from the key map, centred over base.
func (m *Model) withHelp(base string, width, height int) string {
	body := m.st.title.Render("keys") + "\n\n" + m.help.FullHelpView(m.keys.FullHelp())
	if m.readOnly {
		body += "\n\n" + m.st.warn.Render("read-only session: pause, stop, checkpoint, lr, steering and new run are refused")
	}
	body += "\n\n" + m.st.dim.Render("? or esc closes this help")
	return overlay(base, m.st.helpBox.Render(body), width, height)
}

// overlay draws box centred over base, a width × height frame, and returns a frame of that size.
func overlay(base, box string, width, height int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max((width-bw)/2, 0), max((height-bh)/2, 0)
	out := lipgloss.NewCompositor(
		lipgloss.NewLayer(base),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render()
	// The compositor trims trailing blanks and grows to fit a box larger than the screen.
	lines := strings.Split(out, "\n")
	lines = lines[:min(len(lines), height)]
	for i := range lines {
		lines[i] = pad(lines[i], width)
	}
	return strings.Join(lines, "\n")
}

// etaText estimates the time left from the run's average rate so far (Progress: steps over elapsed
// wall seconds) and the steps still to do.
func etaText(info lab.RunInfo, s *runState) string {
	switch {
	case info.Status == lab.StatusPaused:
		return "paused"
	case info.Status != lab.StatusRunning:
		return ""
	case !s.hasProg || s.progress.Elapsed <= 0 || s.progress.Step <= 0 || info.TotalSteps <= 0:
		return "…"
	}
	rate := float64(s.progress.Step) / s.progress.Elapsed // steps per second
	left := float64(info.TotalSteps-info.Step) / rate
	switch {
	case left < 0 || math.IsNaN(left):
		return "…"
	case left > maxETA:
		return ">" + fmtDuration(maxETA)
	}
	return fmtDuration(left)
}

// maxETA is the longest ETA spelled out (99 days, in seconds).
const maxETA = 99 * 24 * 3600

// fmtDuration formats seconds as 45s, 2m05s or 3h07m.
func fmtDuration(sec float64) string {
	t := int64(math.Round(sec))
	switch {
	case t < 60:
		return fmt.Sprintf("%ds", t)
	case t < 3600:
		return fmt.Sprintf("%dm%02ds", t/60, t%60)
	}
	return fmt.Sprintf("%dh%02dm", t/3600, (t%3600)/60)
}

// fmtPct formats a fraction as a percentage with two decimals.
func fmtPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmtNum(v)
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// fmtInt formats n with thousands separators: 12,345.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// truncate cuts s (which may hold styles) to width cells, ending in "…" when cut.
func truncate(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// truncateMiddle cuts plain text s to width cells by replacing its middle with "…", keeping both
// ends of a run id (the experiment and the unique suffix).
func truncateMiddle(s string, width int) string {
	r := []rune(s)
	if len(r) <= width || width < 3 {
		return truncate(s, width)
	}
	head := (width - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(width-1-head):])
}

// pad truncates or right-pads s (which may hold styles) to exactly width cells.
func pad(s string, width int) string {
	s = truncate(s, width)
	if w := lipgloss.Width(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}
