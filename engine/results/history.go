package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// History is history.json: the run's time series, one sample per interval,
// kept so that `voyplan report` can draw the charts and write history.csv
// again.
type History struct {
	IntervalMS float64          `json:"interval_ms"`
	Samples    []metrics.Sample `json:"samples"`
}

// NewHistory wraps samples taken every interval.
func NewHistory(interval time.Duration, samples []metrics.Sample) *History {
	if samples == nil {
		samples = []metrics.Sample{}
	}
	return &History{IntervalMS: transcript.Ms(interval), Samples: samples}
}

// WriteHistory writes h to dir/history.json atomically (a merge's history;
// a run appends its samples in place as they are taken: historyFile).
func WriteHistory(dir string, h *History) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("cannot encode the history: %w", err)
	}
	if err := writeFileAtomic(dir, HistoryFile, b.Bytes()); err != nil {
		return fmt.Errorf("cannot write the history: %w", err)
	}
	return nil
}

// ReadHistory reads a history.json.
func ReadHistory(path string) (*History, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the history: %w", err)
	}
	var h History
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: invalid history: %w", path, err)
	}
	if h.Samples == nil {
		h.Samples = []metrics.Sample{}
	}
	return &h, nil
}
