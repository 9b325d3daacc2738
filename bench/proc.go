package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// mainPackage is the command the benchmarks build and run.
const mainPackage = "github.com/voyplan/voyplan/cmd/voyplan"

// Build compiles the voyplan command into dir and returns the binary's path.
// It uses the go command that runs the tests.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "voyplan")
	cmd := exec.CommandContext(ctx, goCommand(), "build", "-o", bin, mainPackage)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cannot build voyplan: %w\n%s", err, out)
	}
	return bin, nil
}

// goCommand is the go tool of the running toolchain, or the one on PATH.
func goCommand() string {
	g := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(g); err == nil {
		return g
	}
	return "go"
}

// Usage is what the kernel says a finished process used.
type Usage struct {
	User, System time.Duration
	MaxRSS       int64 // bytes, the peak resident set
	Wall         time.Duration
}

// CPU is user plus system time.
func (u Usage) CPU() time.Duration { return u.User + u.System }

// resetPeak is called before this process starts a child whose peak
// resident set is measured. Go starts a child with vfork (CLONE_VM), and at
// exec Linux keeps the old address space's high-water mark — this
// process's — in the child's maxrss (exec_mmap: setmax_mm_hiwater_rss), so
// a child's rusage says at least this process's own peak. After a
// benchmark read a large conversations.jsonl (hundreds of MB), every later
// child measured that: in one make bench the limit program's memory read
// 20.35 KiB per conversation in every round, the bench process's peak
// (198.7 MiB) ÷ 10,000, against its own 11.3. resetPeak gives back what
// this process no longer uses and resets its high-water mark to its
// resident set now (/proc/self/clear_refs, 5; Linux 4.0): what a child
// inherits is then tens of MB, below any peak measured here.
// TestChildPeakIsItsOwn holds it.
func resetPeak() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// usageOf reads a finished process's rusage (Linux: Maxrss in KiB). Call
// resetPeak before starting the process.
func usageOf(ps *os.ProcessState, wall time.Duration) Usage {
	u := Usage{User: ps.UserTime(), System: ps.SystemTime(), Wall: wall}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		u.MaxRSS = ru.Maxrss * 1024
	}
	return u
}

// Sim is `voyplan sim` running as a child process.
type Sim struct {
	URL string // the widget endpoint it printed

	cmd   *exec.Cmd
	start time.Time
	lines chan string   // stdout after the listening line, for Stop
	done  chan struct{} // closed when the stdout reader returns
}

// SimStats is the simulator's own account, printed when it stops.
type SimStats struct {
	Received, Delivered, Completed, DeliveryErrors int64
	Usage                                          Usage
}

const listeningPrefix = "simulator listening: "

// StartSim starts `bin sim --listen 127.0.0.1:0 args...` and waits (at most
// 10 s) for it to print the address it bound.
func StartSim(bin string, args ...string) (*Sim, error) {
	cmd := exec.Command(bin, append([]string{"sim", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Sim{cmd: cmd, start: time.Now(), lines: make(chan string, 16), done: make(chan struct{})}
	resetPeak()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start the simulator: %w", err)
	}
	url := make(chan string, 1)
	go s.read(out, url)
	select {
	case s.URL = <-url:
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	if s.URL == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, errors.New("the simulator did not say where it listens within 10s")
	}
	return s, nil
}

// read scans the simulator's stdout: the listening line goes to url, the
// rest to s.lines (dropped when nobody reads them) until the pipe closes.
func (s *Sim) read(out io.Reader, url chan<- string) {
	defer close(s.done)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, listeningPrefix); ok {
			url <- strings.TrimSpace(u)
			continue
		}
		select {
		case s.lines <- line:
		default:
		}
	}
}

// Stop interrupts the simulator as Ctrl-C would, waits for it (killing it
// after 10 s) and returns what it reported.
func (s *Sim) Stop() (SimStats, error) {
	_ = s.cmd.Process.Signal(os.Interrupt)
	timer := time.AfterFunc(10*time.Second, func() { _ = s.cmd.Process.Kill() })
	defer timer.Stop()
	<-s.done // stdout closes when the process exits
	err := s.cmd.Wait()
	st := SimStats{Usage: usageOf(s.cmd.ProcessState, time.Since(s.start))}
	close(s.lines)
	for line := range s.lines {
		if strings.HasPrefix(line, "stopped:") {
			st.parse(line)
			return st, nil
		}
	}
	if err != nil {
		return st, fmt.Errorf("simulator: %w", err)
	}
	return st, errors.New("the simulator stopped without its closing counts")
}

var simCount = regexp.MustCompile(`(\d+) (messages received|replies delivered|payment links sent|callbacks failed)`)

// parse reads the counts of the simulator's "stopped: ..." line.
func (st *SimStats) parse(line string) {
	for _, m := range simCount.FindAllStringSubmatch(line, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		switch m[2] {
		case "messages received":
			st.Received = n
		case "replies delivered":
			st.Delivered = n
		case "payment links sent":
			st.Completed = n
		case "callbacks failed":
			st.DeliveryErrors = n
		}
	}
}

// ApplyResult is one `voyplan apply` process: how it exited, what it used,
// and the summary.json it wrote.
type ApplyResult struct {
	Out      string // its results directory
	ExitCode int
	Usage    Usage
	Summary  Summary
	Stderr   string
}

// Apply runs `bin apply plan --out out --quiet args...` to completion (ctx
// kills it) and reads its summary.json. Exit code 2 (a threshold failed) is
// a result, not an error.
func Apply(ctx context.Context, bin, plan, out string, args ...string) (ApplyResult, error) {
	return ApplySampled(ctx, bin, plan, out, nil, args...)
}

// ApplySampled is Apply, calling sample (when not nil) with the process's
// resident set in bytes about once a second while it runs.
func ApplySampled(ctx context.Context, bin, plan, out string, sample func(rss int64), args ...string) (ApplyResult, error) {
	res := ApplyResult{Out: out}
	cmd := exec.CommandContext(ctx, bin, append([]string{"apply", plan, "--out", out, "--quiet"}, args...)...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	resetPeak()
	start := time.Now()
	err := cmd.Start()
	if err == nil {
		sampled := sampleWhile(cmd.Process.Pid, sample)
		err = cmd.Wait()
		sampled()
	}
	res.Stderr = stderr.String()
	if cmd.ProcessState == nil {
		return res, fmt.Errorf("cannot run voyplan apply: %w", err)
	}
	res.Usage = usageOf(cmd.ProcessState, time.Since(start))
	res.ExitCode = cmd.ProcessState.ExitCode()
	if res.ExitCode != 0 && res.ExitCode != 2 {
		return res, fmt.Errorf("voyplan apply exited %d: %s", res.ExitCode, lastLines(res.Stderr, 5))
	}
	res.Summary, err = ReadSummary(filepath.Join(out, "summary.json"))
	return res, err
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// sampleWhile reads pid's resident set once a second into sample until the
// returned stop is called (nothing when sample is nil).
func sampleWhile(pid int, sample func(rss int64)) (stop func()) {
	if sample == nil {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if rss, err := RSS(pid); err == nil {
					sample(rss)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// RSS reads a process's resident set size (VmRSS of /proc/PID/status), in
// bytes; Linux only.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}
