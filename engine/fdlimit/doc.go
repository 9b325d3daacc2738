// Package fdlimit manages the process's open-file limit (RLIMIT_NOFILE):
// every conversation in flight holds sockets, so a run of thousands of
// concurrent users needs more than the usual default of 1024. Raise lifts
// the soft limit to the hard one; Ensure says clearly when even that is not
// enough.
//
// It owns the limit only: how many files a run needs is the caller's
// estimate (engine/run).
package fdlimit
