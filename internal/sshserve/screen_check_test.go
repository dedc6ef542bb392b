package sshserve_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// frames is a model that shows the frame it is sent.
type frames struct{ text string }

type showMsg string

func (m frames) Init() tea.Cmd { return nil }

func (m frames) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(showMsg); ok {
		m.text = string(s)
	}
	return m, nil
}

func (m frames) View() tea.View {
	v := tea.NewView(m.text)
	v.AltScreen = true
	return v
}

// TestScreenEmulator checks the test emulator against Bubble Tea's own renderer: a program draws a
// series of frames (lines inserted, deleted, scrolled; words changed; runs of blanks and repeats;
// wide characters) on an xterm-256color terminal, and after each frame the emulated screen must
// equal the frame. The end-to-end tests read sessions' screens with this emulator.
func TestScreenEmulator(t *testing.T) {
	t.Parallel()
	const w, h = 40, 12
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"alpha", "beta", "γάμμα", "日本語", "⣇⡀⠈", "──────", "lr 0.2", "x", "            ", "step 12/40"}
	lines := make([]string, h)
	for i := range lines {
		lines[i] = "line " + strings.Repeat("·", i)
	}
	var want []string
	for f := 0; f < 40; f++ {
		i := rng.IntN(h)
		switch rng.IntN(5) {
		case 0: // insert a line (the rest scroll down)
			lines = append(lines[:i], append([]string{words[rng.IntN(len(words))]}, lines[i:h-1]...)...)
		case 1: // delete a line (the rest scroll up)
			lines = append(append(lines[:i:i], lines[i+1:]...), "")
		case 2: // change a word inside a line
			lines[i] = "a " + words[rng.IntN(len(words))] + " b " + words[rng.IntN(len(words))]
		case 3: // shorten a line
			lines[i] = lines[i][:len(lines[i])/2]
			lines[i] = strings.ToValidUTF8(lines[i], "")
		case 4: // insert text in the middle of a line
			r := []rune(lines[i])
			k := len(r) / 2
			lines[i] = string(r[:k]) + words[rng.IntN(len(words))] + string(r[k:])
		}
		for j, l := range lines {
			lines[j] = ansi.Truncate(l, w-4, "")
		}
		want = append(want, strings.Join(lines, "\n"))
	}

	out := &term{t: t, w: w, h: h}
	p := tea.NewProgram(frames{}, tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(w, h),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	defer func() { p.Quit(); <-done }()
	for i, frame := range want {
		p.Send(showMsg(frame))
		wantScreen := trimLines(frame)
		deadline := time.Now().Add(waitLimit)
		for out.screen() != wantScreen {
			if time.Now().After(deadline) {
				t.Fatalf("frame %d: emulated screen\n%s\nwant\n%s", i, out.screen(), wantScreen)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// trimLines pads frame to h lines with trailing blanks cut, as screenOf returns them.
func trimLines(frame string) string {
	ls := strings.Split(frame, "\n")
	for i := range ls {
		ls[i] = strings.TrimRight(ls[i], " ")
	}
	return strings.Join(ls, "\n")
}
