// Package fsutil holds the lab's durable file writes.
//
// Every file the lab cares about (checkpoints, results, resolved configs, a
// rewritten run log) is replaced atomically, so a reader sees either the old
// contents or the new ones, never a mix, even if the process dies or the
// machine loses power mid-write. The sequence, for a target path p, is
//
//	create  dir(p)/.base(p).tmp-*   (same directory, so rename never copies)
//	write   the new bytes
//	chmod   perm                   (exact: the umask is not applied)
//	fsync   the temp file          (data and size reach the disk)
//	close
//	rename  temp → p               (atomic on POSIX file systems)
//	fsync   dir(p)                 (the rename itself reaches the disk)
//
// On any error before the rename, the temp file is removed and p is untouched.
// An error from the final directory fsync is returned although p already
// holds the new contents; the caller then knows the write may not survive a
// power loss.
package fsutil
