package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// JUnit's XML as the strict Ant JUnit schema has it (the one strict CI
// validators hold reports to): one suite per run, one test case per
// threshold. <testsuites> carries no attributes; a suite in it has a
// package and an id, a hostname, a timestamp without a time zone, and
// holds its properties, cases, system-out and system-err in that order; a
// case holds at most its failure or error.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr"`
	ID         int             `xml:"id,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  junitText       `xml:"system-out"`
	SystemErr  junitText       `xml:"system-err"`
}

// junitText is element text kept as written, newlines included.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// WriteJUnit writes dir/junit.xml from a summary: one suite named after the
// plan, one test case per threshold. A failed threshold is a <failure>
// carrying the observed value; one that could not be evaluated is an
// <error>. A run that lost results (an invalid verdict) gets one more test
// case, "results recorded", in error, so a CI that reads only JUnit cannot
// take it for a pass.
func WriteJUnit(dir *results.Dir, s *results.Summary) error {
	b, err := encodeJUnit(s)
	if err != nil {
		return fmt.Errorf("cannot encode junit.xml: %w", err)
	}
	if err := dir.WriteFile(results.JUnitFile, b); err != nil {
		return fmt.Errorf("cannot write junit.xml: %w", err)
	}
	return nil
}

func encodeJUnit(s *results.Summary) ([]byte, error) {
	suite := junitSuite{
		Name:       "voyplan." + s.Plan.Name,
		Package:    "voyplan",
		Hostname:   hostname(),
		Time:       seconds(s.DurationMS),
		Timestamp:  s.StartedAt.UTC().Format("2006-01-02T15:04:05"), // UTC: the schema takes no time zone
		Properties: junitProperties(s),
		SystemOut:  junitText{verdictText(s)},
	}
	for _, th := range s.Thresholds {
		c := junitCaseOf(s.Plan.Name, th)
		switch {
		case c.Error != nil:
			suite.Errors++
		case c.Failure != nil:
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	if s.Invalid != "" { // lost results: no threshold's PASS stands on them
		suite.Cases = append(suite.Cases, junitCase{
			Name: "results recorded", Classname: "voyplan." + s.Plan.Name + ".run", Time: "0",
			Error: &junitProblem{Message: "results lost: " + s.Invalid, Type: "invalid",
				Text: "the run could not record all its conversations; its verdict is invalid whatever the thresholds say"},
		})
		suite.Errors++
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Suites: []junitSuite{suite}}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func junitCaseOf(plan string, th results.Threshold) junitCase {
	c := junitCase{Name: th.Name, Classname: "voyplan." + plan + ".thresholds", Time: "0"}
	th.Observed = observedOf(th)
	switch {
	case th.Error != "":
		c.Error = &junitProblem{
			Message: fmt.Sprintf("the check could not be evaluated: %s", th.Error),
			Type:    "evaluation",
			Text:    fmt.Sprintf("check: %s\nerror: %s", th.Check, th.Error),
		}
	case th.Result == verdict.OutcomeNoData && !th.Pass:
		c.Failure = &junitProblem{
			Message: "no data",
			Type:    "no_data",
			Text:    fmt.Sprintf("check: %s\nobserved: %s\nnothing the check reads was observed; on_no_data = \"pass\" would let it pass", th.Check, th.Observed),
		}
	case !th.Pass:
		c.Failure = &junitProblem{
			Message: fmt.Sprintf("observed %s; %s does not hold", th.Observed, th.Check),
			Type:    "threshold",
			Text:    fmt.Sprintf("check: %s\nobserved: %s", th.Check, th.Observed),
		}
	}
	return c
}

func junitProperties(s *results.Summary) []junitProperty {
	return []junitProperty{
		{"plan", s.Plan.Name},
		{"plan.file", s.Plan.File},
		{"plan.hash", s.Plan.Hash},
		{"seed", strconv.FormatUint(s.Plan.Seed, 10)},
		{"voyplan.version", s.Version},
		{"verdict", s.Verdict},
		{"interrupted", strconv.FormatBool(s.Interrupted)},
	}
}

// observedOf is a threshold's observed value, with which window it is for
// a windowed threshold (its worst).
func observedOf(th results.Threshold) string {
	w := th.WorstWindow
	if w == nil {
		return th.Observed
	}
	return th.Observed + " (" + verdict.WindowNote(transcript.Duration(th.WindowMS), th.Windows, th.FailedWindows,
		&verdict.WindowResult{From: transcript.Duration(w.FromMS), To: transcript.Duration(w.ToMS)}) + ")"
}

// verdictText is the run in a few lines, then every threshold's check and
// observed value, for the suite's output (the strict schema gives a case
// no output of its own).
func verdictText(s *results.Summary) string {
	c := s.Metrics.Conversations
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s\nconversations: %d started, %d completed, %d failed, %d abandoned, %d interrupted (success rate %.3f)\nreply p95: %s ms",
		s.Verdict, c.Started, c.Succeeded, c.Failed, c.Abandoned, c.Interrupted, c.SuccessRate, ms(s.Metrics.Reply.P95))
	for _, th := range s.Thresholds {
		fmt.Fprintf(&b, "\n%s: check: %s; observed: %s", th.Name, th.Check, observedOf(th))
	}
	return b.String()
}

// hostname is the machine the report is rendered on (summary.json does not
// say where the run ran); "localhost" when it cannot be told, as the
// schema asks.
func hostname() string {
	h, err := os.Hostname()
	if err != nil || strings.TrimSpace(h) == "" {
		return "localhost"
	}
	return h
}

func seconds(msec float64) string { return strconv.FormatFloat(msec/1000, 'f', 3, 64) }
