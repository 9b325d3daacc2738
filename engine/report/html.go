package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Data is what report.html renders: one JSON document embedded in the page
// and drawn by assets/report.js (window.voyplan.render), which a live view
// can feed the same shape.
type Data struct {
	// Summary is summary.json as it is on disk, fields this version does
	// not know included.
	Summary    json.RawMessage       `json:"summary"`
	History    *results.History      `json:"history"`
	Histograms map[string]*Histogram `json:"histograms"`
	// Conversations are the transcripts the page shows, at most
	// RenderOptions.MaxConversations of the ConversationsTotal in the run.
	Conversations      []*transcript.Conversation `json:"conversations"`
	ConversationsTotal int                        `json:"conversations_total"`
	// Divergences are where replayed conversations diverged from their
	// recordings, at most MaxDivergences, in the order they were read.
	Divergences []Divergence `json:"divergences,omitempty"`
	// Leaks are the replies that carried another customer's data, at most
	// MaxLeaks, in the order they were read.
	Leaks       []Leak    `json:"leaks,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
}

var (
	//go:embed assets/report.js
	ownJS string
	//go:embed assets/report.css
	ownCSS string
	//go:embed assets/report.html
	reportPage string

	// uPlot draws the charts (assets/vendor/uplot/README.md says which
	// version and where from); it goes into the page ahead of report.js,
	// which uses its global.
	//go:embed assets/vendor/uplot/uPlot.iife.min.js
	uplotJS string
	//go:embed assets/vendor/uplot/uPlot.min.css
	uplotCSS string

	reportJS  = uplotJS + "\n" + ownJS
	reportCSS = uplotCSS + "\n" + ownCSS
)

// ReportJS is the page's script, uPlot included, for a live view that
// renders the same Data.
func ReportJS() string { return reportJS }

// ReportCSS is the page's styles, uPlot's included, for a live view that
// draws the same parts.
func ReportCSS() string { return reportCSS }

// page fills assets/report.html.
type page struct {
	Title string
	CSP   string
	CSS   template.CSS
	JS    template.JS
	Data  template.JS
}

// WriteHTML writes dir/report.html: one file, its script, styles and data
// inline, with a Content-Security-Policy that lets the page load nothing at
// all — it works offline because it cannot do otherwise.
func WriteHTML(dir *results.Dir, title string, d *Data) error {
	b, err := encodeHTML(title, d)
	if err != nil {
		return fmt.Errorf("cannot render report.html: %w", err)
	}
	if err := dir.WriteFile(results.HTMLFile, b); err != nil {
		return fmt.Errorf("cannot write report.html: %w", err)
	}
	return nil
}

func encodeHTML(title string, d *Data) ([]byte, error) {
	// json.Marshal escapes <, > and &, so the data cannot close its script.
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	t, err := template.New("report").Parse(reportPage)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = t.Execute(&b, page{
		Title: title,
		CSP:   contentSecurityPolicy(reportJS, reportCSS),
		CSS:   template.CSS(reportCSS),
		JS:    template.JS(reportJS),
		Data:  template.JS(data),
	})
	return b.Bytes(), err
}

// contentSecurityPolicy allows the inline script and style by their hashes
// and nothing else: no request of any kind can leave the page.
func contentSecurityPolicy(js, css string) string {
	return fmt.Sprintf("default-src 'none'; script-src '%s'; style-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
		sha256Source(js), sha256Source(css))
}

func sha256Source(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}
