package results

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// File names in a run's out directory.
const (
	SummaryFile       = "summary.json"
	ConversationsFile = "conversations.jsonl"
	LateFile          = "late.jsonl" // callbacks after their conversation's line was written
	HistoryFile       = "history.json"
	StatsCSVFile      = "stats.csv"
	HistoryCSVFile    = "history.csv"
	FailuresCSVFile   = "failures.csv"
	JUnitFile         = "junit.xml"
	HTMLFile          = "report.html"
	RunLogFile        = "run.log"
	JournalFile       = "journal.jsonl" // every conversation's start, turns and end, as they happen
)

// Dir is a run directory: what one run (or the merge of its segments)
// leaves behind, read and written through its methods.
type Dir struct {
	path string
	// made is what Create made: the directories it created, deepest
	// first, and the run files that were not there before (Abandon).
	made *made
}

// made is what Create made, for Abandon to take back.
type made struct {
	dirs []string        // created by Create, deepest first
	had  map[string]bool // run files (runFiles) already there before
}

// Open is the run directory at path, which must exist.
func Open(path string) (*Dir, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the results directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a results directory", path)
	}
	return &Dir{path: path}, nil
}

// At is the run directory at path, whether or not it exists yet (a
// report of a directory that is not there fails on its first read).
func At(path string) *Dir { return &Dir{path: path} }

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Create makes the directory a run writes to: out, or
// runs/<plan>-<timestamp> (with a -2, -3, … suffix when a run of the same
// second has it). A directory that already holds a run is refused, never
// appended to or overwritten: its conversations.jsonl would mix two runs.
func Create(out, plan string, now time.Time) (*Dir, error) {
	if out == "" {
		base := filepath.Join("runs", safeName(plan)+"-"+now.Format("20060102-150405"))
		out = base
		for i := 2; holdsRun(out); i++ {
			out = fmt.Sprintf("%s-%d", base, i)
		}
	}
	if holdsRun(out) {
		return nil, fmt.Errorf("%s already holds the results of a run: give another --out, or move that run away first", out)
	}
	m := &made{dirs: missingDirs(out), had: map[string]bool{}}
	for _, name := range runFiles {
		if _, err := os.Lstat(filepath.Join(out, name)); err == nil {
			m.had[name] = true
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the results directory: %w", err)
	}
	return &Dir{path: out, made: m}, nil
}

// runFiles are the files a run writes in its directory (not the
// temporary files of atomic writes, which never outlive their write).
var runFiles = []string{
	SummaryFile, ConversationsFile, JournalFile, LateFile, HistoryFile,
	StatsCSVFile, HistoryCSVFile, FailuresCSVFile, JUnitFile, HTMLFile, RunLogFile, ReserveFile,
}

// missingDirs is dir and those of its parents that do not exist, deepest
// first: what MkdirAll(dir) creates.
func missingDirs(dir string) []string {
	var out []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			return out
		}
		out = append(out, d)
		if filepath.Dir(d) == d {
			return out
		}
	}
}

// Abandon takes back what Create made, for a run that could not start (a
// port in use): the run files that were not there before, then the
// directories Create created, if they are empty. Nothing that was there
// before Create is touched, and a directory is never removed with what it
// holds. A Dir not made by Create has nothing to take back.
func (d *Dir) Abandon() error {
	if d.made == nil {
		return nil
	}
	var errs []error
	for _, name := range runFiles {
		if d.made.had[name] {
			continue
		}
		if err := os.Remove(d.File(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, dir := range d.made.dirs {
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			break // not empty: neither are its parents
		}
	}
	d.made = nil
	return errors.Join(errs...)
}

// holdsRun reports whether dir has a run's files in it.
func holdsRun(dir string) bool {
	for _, name := range []string{ConversationsFile, SummaryFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

func safeName(s string) string {
	if s = unsafeChars.ReplaceAllString(s, "-"); s == "" {
		return "plan"
	}
	return s
}

// Path is the directory's path, as given.
func (d *Dir) Path() string { return d.path }

// String is Path.
func (d *Dir) String() string { return d.path }

// File is the path of one of the directory's files (a *File constant).
func (d *Dir) File(name string) string { return filepath.Join(d.path, name) }

// WriteFile replaces the file name in the directory with data atomically:
// a reader sees the old file or the new one, never a part of it.
func (d *Dir) WriteFile(name string, data []byte) error { return writeFileAtomic(d.path, name, data) }

// WriteStream is WriteFile for content too large to hold in memory,
// written by fill.
func (d *Dir) WriteStream(name string, fill func(w io.Writer) error) error {
	return writeAtomic(d.path, name, fill)
}

// ReadSummary reads summary.json.
func (d *Dir) ReadSummary() (*Summary, error) { return ReadSummary(d.File(SummaryFile)) }

// ReadSummaryRaw reads summary.json both as it is on disk and typed.
func (d *Dir) ReadSummaryRaw() ([]byte, *Summary, error) { return readSummaryFile(d.File(SummaryFile)) }

// WriteSummary writes summary.json atomically.
func (d *Dir) WriteSummary(s *Summary) error { return WriteSummary(d.path, s) }

// ReadHistory reads history.json.
func (d *Dir) ReadHistory() (*History, error) { return ReadHistory(d.File(HistoryFile)) }

// WriteHistory writes history.json atomically.
func (d *Dir) WriteHistory(h *History) error { return WriteHistory(d.path, h) }

// ReadLate reads late.jsonl (see ReadLate).
func (d *Dir) ReadLate() (map[string][]transcript.LateCallback, error) {
	return ReadLate(d.File(LateFile))
}

// ScanConversations calls fn with each conversation of conversations.jsonl
// in turn (see ScanJSONL).
func (d *Dir) ScanConversations(fn func(*transcript.Conversation) error) error {
	return ScanJSONL(d.File(ConversationsFile), fn)
}

// ReadConversations reads every conversation of conversations.jsonl.
func (d *Dir) ReadConversations() ([]transcript.Conversation, error) {
	return ReadJSONL(d.File(ConversationsFile))
}

// ReadSamples reads the timings of every conversation.
func (d *Dir) ReadSamples() (*verdict.Samples, error) {
	s := verdict.NewSamples()
	err := d.ScanConversations(func(c *transcript.Conversation) error {
		s.Add(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// CreateConversations opens conversations.jsonl for appending, the sink of
// the run's conversations.
func (d *Dir) CreateConversations() (*JSONL, error) {
	return CreateJSONL(d.File(ConversationsFile))
}

// LateSink is the writer of late.jsonl; nothing is created until a write.
func (d *Dir) LateSink() *LateJSONL { return NewLateJSONL(d.File(LateFile)) }

// LoadRunResults reads what verdict.Compare judges of a run: a run
// directory (summary.json, and conversations.jsonl when present) or a
// summary file (and the conversations.jsonl beside it when the file is
// named summary.json).
func LoadRunResults(path string) (*verdict.RunResults, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the run %s: %w", path, err)
	}
	sumPath := path
	if fi.IsDir() {
		sumPath = filepath.Join(path, SummaryFile)
	}
	raw, _, err := readSummaryFile(sumPath)
	if err != nil {
		return nil, err
	}
	r, err := verdict.NewRunResults(path, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sumPath, err)
	}
	if filepath.Base(sumPath) == SummaryFile {
		r.Samples, err = At(filepath.Dir(sumPath)).ReadSamples()
		if errors.Is(err, fs.ErrNotExist) {
			r.Samples, err = nil, nil
		}
	}
	return r, err
}

// readSummaryFile reads summary.json both as it is and typed.
func readSummaryFile(path string) ([]byte, *Summary, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the summary: %w", err)
	}
	sum, err := ReadSummary(path)
	if err != nil {
		return nil, nil, err
	}
	return raw, sum, nil
}
