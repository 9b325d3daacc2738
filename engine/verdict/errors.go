package verdict

import (
	"fmt"
	"io"
	"strconv"

	"github.com/voyplan/voyplan/engine/metrics"
)

// maxErrorRows is how many distinct errors the table lists; the rest are
// summed on a last line.
const maxErrorRows = 10

// renderErrors writes the errors table — kind, message, count, most
// frequent first — and a blank line; nothing when nothing failed.
func renderErrors(w io.Writer, es []metrics.ErrorCount) error {
	if len(es) == 0 {
		return nil
	}
	t := newTable(w, "llr", "Error", "Message", "Count")
	rows := make([][]string, 0, min(len(es), maxErrorRows))
	for _, e := range es[:min(len(es), maxErrorRows)] {
		rows = append(rows, []string{e.Kind, e.Message, strconv.FormatInt(e.Count, 10)})
	}
	if err := appendAll(t, rows); err != nil {
		return err
	}
	if rest := es[min(len(es), maxErrorRows):]; len(rest) > 0 {
		var n int64
		for _, e := range rest {
			n += e.Count
		}
		if _, err := fmt.Fprintf(w, "… and %d more distinct errors (%d occurrences): summary.json has them all\n", len(rest), n); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}
