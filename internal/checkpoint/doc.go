// Package checkpoint reads and writes the lab's checkpoint files: one training state
// (a step number, opaque metadata and named float32 tensors) per file, written atomically
// into a directory that keeps the newest N.
//
// # File layout
//
// All integers are little-endian.
//
//	offset  size  field
//	0       6     magic "LLCKPT"
//	6       2     uint16 version (1)
//	8       4     uint32 payload length P (at most MaxPayload)
//	12      P     payload
//	12+P    4     uint32 CRC-32C (Castagnoli) of the payload
//
// Nothing may follow the checksum. The payload is
//
//	int64   step (>= 0)
//	uint32  metadata length M (at most MaxMeta), then M bytes of metadata
//	uint32  tensor count T (at most MaxTensors), then T tensors, each
//	        uint16 name length L (1..MaxName), L bytes of UTF-8 name (unique in the file)
//	        uint8  rank R (0..MaxRank), R × uint32 dimensions
//	        n × float32 (IEEE 754 bits), n = Π dimensions (1 for rank 0)
//
// and must be consumed exactly. A reader checks the magic, version, length cap and checksum
// before it parses anything, and checks every count against the bytes that remain before it
// allocates, so hostile input yields an error wrapping ErrCorrupt, never a panic or a huge
// allocation.
//
// # Directory
//
// Save names files ckpt-<step as 12 digits>.llck, so that lexical and numeric order agree, and
// writes each one as: temporary file in the same directory, write, fsync, close, rename over the
// final name, fsync the directory. A reader therefore sees a complete file or none. Latest
// tries files from the newest step down and returns the first that decodes cleanly, reporting
// the ones it skipped. One writer per directory is assumed.
package checkpoint
