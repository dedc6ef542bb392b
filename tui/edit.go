package tui

import (
	"errors"
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/logitlab/logitlab/internal/config"
)

// lineEdit is a one-line text field of the launcher and steering forms: the text typed so far, with
// the cursor always at its end.
type lineEdit struct {
	text []rune
}

func newLineEdit(initial string) *lineEdit { return &lineEdit{text: []rune(initial)} }

// key applies one key press: printable text is appended, backspace deletes a character, ctrl+w a
// word and ctrl+u everything. Other keys are ignored.
func (e *lineEdit) key(k tea.KeyPressMsg) {
	switch k.String() {
	case "backspace", "ctrl+h":
		if len(e.text) > 0 {
			e.text = e.text[:len(e.text)-1]
		}
		return
	case "ctrl+u":
		e.text = e.text[:0]
		return
	case "ctrl+w":
		t := strings.TrimRightFunc(string(e.text), unicode.IsSpace)
		i := strings.LastIndexFunc(t, unicode.IsSpace)
		e.text = []rune(t[:i+1])
		return
	}
	for _, r := range k.Text {
		if unicode.IsPrint(r) {
			e.text = append(e.text, r)
		}
	}
}

// String is the text typed so far.
func (e *lineEdit) String() string { return string(e.text) }

// view draws the field in width cells: the end of the text that fits, then the cursor.
func (e *lineEdit) view(st styles, width int) string {
	if width < 1 {
		return ""
	}
	r := e.text
	for len(r) > 0 && lipgloss.Width(string(r)) > width-1 {
		r = r[1:]
	}
	return string(r) + st.cursor.Render(st.cursorCh)
}

// refusalText words a config error for a form: "train.epochs = 0: must be between 1 and 1000",
// without the "flag" source Set gives it.
func refusalText(err error) string {
	var ce *config.Error
	if errors.As(err, &ce) {
		s := ce.Key
		if ce.Value != "" {
			s += " = " + ce.Value
		}
		return s + ": " + ce.Msg
	}
	return err.Error()
}
