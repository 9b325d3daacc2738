//go:build !linux

package webhook

import "net"

// rxListener is the listener as it is: kernel receive timestamps are read
// on Linux only (rxstamp_linux.go); elsewhere a callback's arrival is when
// its handler starts.
type rxListener struct{ net.Listener }
