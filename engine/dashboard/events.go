package dashboard

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// pushEvery is how often a page gets the run's state.
const pushEvery = time.Second

// writeTimeout bounds one event's write: a page that stops reading is cut.
const writeTimeout = 10 * time.Second

// events streams the run's state to one page as Server-Sent Events: one
// "state" event at once and then every pushEvery, each carrying only the
// samples and callbacks the page has not had; a last one when the run is
// over (Finish), after which the stream ends. A page that reconnects starts
// afresh.
func (s *Server) events(w http.ResponseWriter, req *http.Request) {
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		http.Error(w, "too many pages follow this run", http.StatusServiceUnavailable)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // the server's ReadTimeout would end the stream
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	var c cursor
	t := time.NewTicker(pushEvery)
	defer t.Stop()
	for {
		st := s.state(&c)
		if err := send(w, rc, "state", st); err != nil || st.Final != nil {
			return
		}
		select {
		case <-req.Context().Done():
			return
		case <-s.stop:
			if !s.isFinished() {
				return
			}
		case <-s.ended:
		case <-t.C:
		}
	}
}

// send writes one event and flushes it.
func send(w http.ResponseWriter, rc *http.ResponseController, event string, v any) error {
	var b bytes.Buffer
	b.WriteString("event: " + event + "\ndata: ")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // one line: JSON has no raw newline
		return err
	}
	b.WriteString("\n")
	_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	return rc.Flush()
}
