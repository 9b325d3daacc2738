package webhook

import (
	"net/http"
	"strconv"
	"time"
)

// SentAtHeader is the header a sender may stamp each callback with: its own
// wall clock, in Unix nanoseconds, taken right before the POST. The
// built-in simulator sends it (engine/sim's SentAtHeader, the same name), so
// a run against it records both what voyplan measured and what really
// happened (transcript.Turn.SimSentAt); a real assistant sends nothing and
// nothing is recorded.
const SentAtHeader = "X-Voyplan-Sim-Sent-At"

// senderStamp reads SentAtHeader; zero when it is absent or not a positive
// integer. It is cheap enough to read on every callback: one header lookup
// and one ParseInt.
func senderStamp(req *http.Request) time.Time {
	v := req.Header.Get(SentAtHeader)
	if v == "" {
		return time.Time{}
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ns <= 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}
