// Package runlog writes and reads a run's append-only event log,
// runs/<id>/events.jsonl.
//
// The file is JSON Lines: one record per line, each a JSON object
//
//	{"seq":1,"t":"2026-01-02T15:04:05.123456789Z","kind":"step","data":{...},"crc":"1c2d3e4f"}\n
//
// seq counts records from 1 with no gaps; t is the UTC wall-clock time the
// record was appended; kind names the event; data is the event itself, opaque
// to this package. crc is the CRC-32C (Castagnoli), as 8 lowercase hex
// digits, of the line's bytes up to the "crc" field with a closing brace in
// its place:
//
//	crc = crc32c(`{"seq":1,…,"data":{...}}`)
//
// so a flipped bit or a lost byte is detected; JSON tools such as jq read
// the lines as ordinary objects. Lines hold at most MaxLineBytes bytes,
// newline included.
//
// Durability. Writer buffers lines in memory. Flush hands them to the
// operating system, so they survive a crash of the process; Sync also fsyncs
// the file, so they survive a power loss. The lab flushes once per second
// (RunFlusher) and syncs at each checkpoint and at the end of a run.
//
// Damage. A crash can leave a final line cut short; a power loss can leave a
// final line of zero bytes or garbage. Readers report such a final line as an
// incomplete tail (an error wrapping io.ErrUnexpectedEOF) and return every
// record before it; OpenAppend cuts it off before appending. Any other bad line,
// or a seq that does not follow its predecessor, is a *CorruptError naming
// the line: a reader never returns a damaged record as valid.
//
// A log has one writer at a time; this package does not lock the file.
package runlog
