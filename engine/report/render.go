package report

import (
	"errors"
	"io/fs"
	"sort"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
)

// DefaultMaxConversations is how many transcripts report.html carries by
// default: enough to browse, small enough for a browser (a few MB).
const DefaultMaxConversations = 1000

// RenderOptions tune Render; the zero value is usable.
type RenderOptions struct {
	// MaxConversations caps the transcripts in report.html: the ones that
	// did not complete come first, then completed ones, in the order they
	// ended. 0: DefaultMaxConversations; negative: none.
	MaxConversations int
}

// Rendered lists what Render wrote and what it could not find.
type Rendered struct {
	Files   []string // paths written
	Missing []string // optional inputs that were not there (history.json, conversations.jsonl)
}

// Render writes stats.csv, history.csv, failures.csv, junit.xml and report.html in a run
// directory from what the run left there: summary.json (required),
// history.json and conversations.jsonl (each optional: without them the
// charts or the transcripts are empty). apply calls it when a run ends and
// `voyplan report` calls it on an old run directory, so both give the same
// files.
func Render(dir *results.Dir, o RenderOptions) (*Rendered, error) {
	raw, sum, err := dir.ReadSummaryRaw()
	if err != nil {
		return nil, err
	}
	out := &Rendered{}
	hist, err := dir.ReadHistory()
	if errors.Is(err, fs.ErrNotExist) {
		out.Missing = append(out.Missing, results.HistoryFile)
		hist, err = results.NewHistory(0, nil), nil
	}
	if err != nil {
		return nil, err
	}
	convs, err := collectConversations(dir, o.max())
	if errors.Is(err, fs.ErrNotExist) {
		out.Missing = append(out.Missing, results.ConversationsFile)
		convs, err = &collected{timings: map[string][]float64{}}, nil
	}
	if err != nil {
		return nil, err
	}
	data := &Data{
		Summary:            raw,
		History:            hist,
		Histograms:         convs.histograms(),
		Conversations:      convs.shown(),
		ConversationsTotal: convs.total,
		Divergences:        convs.divergences,
		Leaks:              convs.leaks,
		GeneratedAt:        time.Now().UTC(),
	}
	return out, out.write(dir, sum, hist, data)
}

func (o RenderOptions) max() int {
	if o.MaxConversations == 0 {
		return DefaultMaxConversations
	}
	return max(o.MaxConversations, 0)
}

func (r *Rendered) write(dir *results.Dir, sum *results.Summary, hist *results.History, data *Data) error {
	steps := []struct {
		name  string
		write func() error
	}{
		{results.StatsCSVFile, func() error { return WriteStatsCSV(dir, sum) }},
		{results.HistoryCSVFile, func() error { return WriteHistoryCSV(dir, hist, sum.Plan.Protocol) }},
		{results.FailuresCSVFile, func() error { return WriteFailuresCSV(dir, sum) }},
		{results.JUnitFile, func() error { return WriteJUnit(dir, sum) }},
		{results.HTMLFile, func() error { return WriteHTML(dir, "voyplan · "+sum.Plan.Name, data) }},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			return err
		}
		r.Files = append(r.Files, dir.File(s.name))
	}
	return nil
}

// collected is what one pass over conversations.jsonl keeps: every
// timing, and the transcripts to show.
type collected struct {
	// timings are every timing of each metric, in milliseconds: 8 bytes
	// each, sorted in place for the histograms (a 30-minute run of 1.75 M
	// turns holds ~3.5 M of them; verdict.Samples' tagged timings and
	// their copy for sorting took three times as much at the run's end).
	timings      map[string][]float64
	total        int
	limit        int
	unsuccessful []*transcript.Conversation // did not complete, first ones, up to limit
	completed    []*transcript.Conversation // completed, first ones, up to limit
	divergences  []Divergence               // replayed conversations' divergences, first ones, up to MaxDivergences
	leaks        []Leak                     // replies carrying another customer's data, first ones, up to MaxLeaks
}

// collectConversations reads conversations.jsonl, attaching to their turns
// the late callbacks that came after a conversation's line was written.
func collectConversations(dir *results.Dir, limit int) (*collected, error) {
	late, err := dir.ReadLate()
	if err != nil {
		return nil, err
	}
	c := &collected{timings: map[string][]float64{}, limit: limit}
	err = dir.ScanConversationsSkimmed(func(conv *transcript.Conversation, whole func() (*transcript.Conversation, error)) error {
		if c.needsWhole(conv) { // else its texts are not read: most are not shown
			var err error
			if conv, err = whole(); err != nil {
				return err
			}
			results.AttachLate(conv, late[conv.ID])
		}
		c.add(conv)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// needsWhole reports whether add needs conv's texts: a transcript to show,
// or a divergence. Skimmed (results.Dir.ScanConversationsSkimmed), conv
// has all add needs besides.
func (c *collected) needsWhole(conv *transcript.Conversation) bool {
	_, diverged := c.divergence(conv)
	return c.showsIn(conv) != nil || diverged
}

// showsIn is the list conv is kept in to show, while it has room; nil
// when it is full.
func (c *collected) showsIn(conv *transcript.Conversation) *[]*transcript.Conversation {
	l := &c.unsuccessful
	if conv.Outcome == transcript.Completed {
		l = &c.completed
	}
	if len(*l) >= c.limit {
		return nil
	}
	return l
}

// divergence is conv's divergence, while there is room for it.
func (c *collected) divergence(conv *transcript.Conversation) (Divergence, bool) {
	if len(c.divergences) >= MaxDivergences {
		return Divergence{}, false
	}
	return divergenceOf(conv)
}

// add takes conv's timings, divergence and leaks, and keeps it to show
// while there is room. It keeps nothing of conv unless needsWhole.
func (c *collected) add(conv *transcript.Conversation) {
	c.total++
	for t := range conv.Timings() {
		c.timings[t.Metric] = append(c.timings[t.Metric], t.MS)
	}
	if d, ok := c.divergence(conv); ok {
		c.divergences = append(c.divergences, d)
	}
	c.leaks = leaksOf(c.leaks, conv)
	if l := c.showsIn(conv); l != nil {
		keep := *conv
		*l = append(*l, &keep)
	}
}

// shown is the transcripts the page carries: the unsuccessful ones first,
// then completed ones up to the limit, sorted by start.
func (c *collected) shown() []*transcript.Conversation {
	out := append([]*transcript.Conversation{}, c.unsuccessful...)
	out = append(out, c.completed[:min(len(c.completed), c.limit-len(out))]...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out
}

func (c *collected) histograms() map[string]*Histogram {
	out := map[string]*Histogram{}
	for _, name := range []string{"send", "reply", "llm", "conversation", "first_token"} {
		out[name] = histogramOf(c.timings[name])
	}
	return out
}
