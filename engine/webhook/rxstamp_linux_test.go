//go:build linux

package webhook

import (
	"encoding/binary"
	"syscall"
	"testing"
	"unsafe"
)

// rxTimeParsed is rxTime as it was written first, through
// syscall.ParseSocketControlMessage: what rxTime must equal.
func rxTimeParsed(oob []byte) int64 {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return ts.Nano()
		}
	}
	return 0
}

// cmsg is one control message as the kernel lays it out, padded.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, syscall.CmsgSpace(len(data)))
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(syscall.CmsgLen(len(data)))
	copy(b[syscall.CmsgLen(0):], data)
	return b
}

func timespec(sec, nsec int64) []byte {
	var b [16]byte
	binary.NativeEndian.PutUint64(b[:8], uint64(sec))
	binary.NativeEndian.PutUint64(b[8:], uint64(nsec))
	return b[:]
}

func rxTimeSeeds() map[string][]byte {
	stamp := cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, timespec(1_760_000_000, 123_456_789))
	other := cmsg(syscall.SOL_SOCKET, syscall.SCM_RIGHTS, []byte{3, 0, 0, 0})
	later := cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, timespec(1_760_000_001, 0))
	tooLong := append([]byte(nil), stamp...)
	(*syscall.Cmsghdr)(unsafe.Pointer(&tooLong[0])).SetLen(len(tooLong) + 1)
	tooShort := append([]byte(nil), stamp...)
	(*syscall.Cmsghdr)(unsafe.Pointer(&tooShort[0])).SetLen(syscall.SizeofCmsghdr - 1)
	return map[string][]byte{
		"none":                        nil,
		"a stamp":                     stamp,
		"a stamp after another":       append(append([]byte(nil), other...), stamp...),
		"the first of two stamps":     append(append([]byte(nil), stamp...), later...),
		"a stamp then a bad header":   append(append([]byte(nil), stamp...), tooLong...),
		"a header longer than oob":    tooLong,
		"a header shorter than one":   tooShort,
		"a stamp cut short":           stamp[:len(stamp)-1],
		"a stamp with no data":        cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, nil),
		"a stamp with short data":     cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, timespec(1, 2)[:12]),
		"another level":               cmsg(syscall.IPPROTO_TCP, syscall.SCM_TIMESTAMPNS, timespec(1, 2)),
		"trailing bytes under a head": append(append([]byte(nil), stamp...), 1, 2, 3),
	}
}

// TestRxTimeMatchesParse: the control messages are walked as
// ParseSocketControlMessage walks them, without its allocation.
func TestRxTimeMatchesParse(t *testing.T) {
	t.Parallel()
	for name, oob := range rxTimeSeeds() {
		if got, want := rxTime(oob), rxTimeParsed(oob); got != want {
			t.Errorf("%s: rxTime = %d, ParseSocketControlMessage's = %d", name, got, want)
		}
	}
	if got := rxTime(rxTimeSeeds()["a stamp"]); got != 1_760_000_000_123_456_789 {
		t.Errorf("rxTime of a stamp = %d", got)
	}
}

func FuzzRxTime(f *testing.F) {
	for _, oob := range rxTimeSeeds() {
		f.Add(oob)
	}
	f.Fuzz(func(t *testing.T, oob []byte) {
		if got, want := rxTime(oob), rxTimeParsed(oob); got != want {
			t.Errorf("rxTime(%x) = %d, ParseSocketControlMessage's = %d", oob, got, want)
		}
	})
}
