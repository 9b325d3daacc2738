package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/sim"
)

// TestSenderStampFromTheSimulator: the built-in simulator stamps every
// callback; the reply carries that stamp next to voyplan's own arrival time,
// so a run can compare what it measured with what really happened.
func TestSenderStampFromTheSimulator(t *testing.T) {
	t.Parallel()
	if SentAtHeader != sim.SentAtHeader {
		t.Fatalf("webhook reads %q but the simulator stamps %q", SentAtHeader, sim.SentAtHeader)
	}
	const latency = 20 * time.Millisecond
	s, err := sim.Listen("127.0.0.1:0", sim.Options{Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	m := r.Open("stamp-1")
	defer m.Close()

	t0 := time.Now()
	body, _ := json.Marshal(map[string]string{"type": "text", "text": "Olá", "channelId": "68e4464832ec9940d9993a12",
		"clientIdentifier": "stamp-1@stw.ai", "webhook": m.URL(1)})
	resp, err := http.Post(s.URL(), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reply, err := m.Wait(context.Background(), 1, 5*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if reply.SentAt.IsZero() {
		t.Fatal("reply.SentAt is zero: the simulator's stamp was not kept")
	}
	// Wall clocks of one machine: sent after the POST started plus the
	// simulator's latency, and before the callback reached the handler.
	if early := reply.SentAt.Sub(t0.Round(0)); early < latency {
		t.Errorf("stamp %s after the POST started; the simulator waits %s first", early, latency)
	}
	if reply.First.Round(0).Before(reply.SentAt) {
		t.Errorf("callback arrived at %s, before its stamp %s", reply.First, reply.SentAt)
	}
}

func TestSenderStampAbsentOrInvalid(t *testing.T) {
	t.Parallel()
	for name, header := range map[string]string{"absent": "", "not a number": "soon", "negative": "-5"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/hooks/x/y/1", nil)
			if header != "" {
				req.Header.Set(SentAtHeader, header)
			}
			if got := senderStamp(req); !got.IsZero() {
				t.Errorf("senderStamp with %q = %s; want zero", header, got)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/hooks/x/y/1", nil)
	req.Header.Set(SentAtHeader, strconv.FormatInt(1_700_000_000_123_456_789, 10))
	if got := senderStamp(req); got.UnixNano() != 1_700_000_000_123_456_789 {
		t.Errorf("senderStamp = %d; want the header's nanoseconds", got.UnixNano())
	}
}
