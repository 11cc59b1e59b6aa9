// Package transfer moves files between the local file system and an FTP
// server with the policy a user who moves files for a living expects:
// retries with backoff on transient failures only, resumption instead of
// restarts, verification of size and checksum, downloads that appear under
// their final name only when complete, segmented downloads over several
// connections, parallel transfers of many files, and mirroring by plans
// that can be printed, applied, or applied in shards on many machines.
//
// Everything goes through the pool of logged-in connections of an
// [*ftp.Client]. A [Copier] holds the policy; its zero value (with a
// Client) retries four times, verifies sizes always and checksums when the
// server offers one, and keeps modification times.
//
// Each file's start, progress and end reach the Copier's Progress and the
// file hooks of an [ftp.Trace] attached to the call's context with
// [ftp.WithTrace] (FileStarted, FileProgress at most once a second,
// FileDone), as retries reach its Retrying hook.
//
// Local writes are confined with [os.Root] to the directory of the target
// (a single file) or to the destination tree, and every name that comes
// from a server listing is checked before use: a name with "/", "..", NUL,
// CR or LF is refused with an [*UnsafeNameError], and in a tree it is
// skipped and reported while the rest goes on.
package transfer
