package bench

import (
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// A child's measured peak resident set is its own, not the bench
// process's: once this process had 256 MiB resident (a populated mapping,
// unmapped at once — outside the Go heap, so the race detector's shadow
// does not keep it resident), /bin/true reported more than 256 MiB of
// maxrss (the kernel keeps the vfork parent's high-water mark across exec)
// until resetPeak.
func TestChildPeakIsItsOwn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the high-water mark handed across exec is Linux's")
	}
	m, err := syscall.Mmap(-1, 0, 256<<20, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Munmap(m); err != nil {
		t.Fatal(err)
	}
	resetPeak()
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if got := usageOf(cmd.ProcessState, 0).MaxRSS; got >= 128<<20 {
		t.Errorf("/bin/true's peak RSS = %.1f MiB after resetPeak; want its own (a few MiB), not this process's 256+", float64(got)/(1<<20))
	}
}
