package lab

// Command is something a viewer asks of a run. The run reads commands between steps and reports
// what it did as an event (StatusChanged, SettingApplied, CheckpointSaved, Stopped), so every viewer
// shows the value the run applied, not the one a viewer asked for.
type Command struct {
	Op    Op
	Name  string  // OpSet: the live setting ("lr", …)
	Value float64 // OpSet: the requested value
	By    string  // who asks: "tui", "cli", "ssh:<user>"
}

// Op is a command's verb.
type Op int

// Command verbs.
const (
	OpPause Op = iota + 1
	OpResume
	OpStop
	OpSet
	OpCheckpoint
)

func (o Op) String() string {
	switch o {
	case OpPause:
		return "pause"
	case OpResume:
		return "resume"
	case OpStop:
		return "stop"
	case OpSet:
		return "set"
	case OpCheckpoint:
		return "checkpoint"
	}
	return "unknown"
}

// Pause, Resume, Stop, Checkpoint and Set build commands.
func Pause(by string) Command      { return Command{Op: OpPause, By: by} }
func Resume(by string) Command     { return Command{Op: OpResume, By: by} }
func Stop(by string) Command       { return Command{Op: OpStop, By: by} }
func Checkpoint(by string) Command { return Command{Op: OpCheckpoint, By: by} }
func Set(name string, value float64, by string) Command {
	return Command{Op: OpSet, Name: name, Value: value, By: by}
}
