package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/logitlab/logitlab/internal/config"
	"github.com/logitlab/logitlab/lab"
)

// labChangedMsg says the lab rang the model's doorbell (something changed) and the next frame slot
// has come. The model answers by pulling the run list and the selected run's new events, and by
// re-arming waitLab. It is the only message that brings lab data in, so frames are paced by it.
type labChangedMsg struct{}

// startedMsg carries the result of Params.Start, called when the launcher's "start" row is entered.
type startedMsg struct {
	run *lab.Run
	err error
}

// waitLab returns the command that waits for the doorbell, then for the frame slot at notBefore,
// and reports labChangedMsg. It returns nil (no message) once ctx is done, so no command outlives its
// session (style.md R5). Exactly one is in flight per model: Update re-arms it on each
// labChangedMsg and nowhere else.
func waitLab(ctx context.Context, bell <-chan struct{}, notBefore time.Time) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-bell:
		case <-ctx.Done():
			return nil
		}
		if d := time.Until(notBefore); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return nil
			}
		}
		return labChangedMsg{}
	}
}

// startRun returns the command that calls start(ctx, experiment, cfg) and reports startedMsg. It
// returns nil (no message) when the session ended meanwhile.
func startRun(ctx context.Context, start func(context.Context, string, config.Config) (*lab.Run, error), experiment string, cfg config.Config) tea.Cmd {
	return func() tea.Msg {
		r, err := start(ctx, experiment, cfg)
		if ctx.Err() != nil {
			return nil
		}
		return startedMsg{run: r, err: err}
	}
}
