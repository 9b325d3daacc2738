package metrics

// Webhook counts the callbacks that reached the webhook receiver, by what
// became of them. Received is every POST on a hook path carrying the run's
// token and, when callbacks must be signed, a valid signature; each of the
// others is a subset of it. Once a run is over, Received = the callbacks
// taken as replies + Malformed + Unmatched + Duplicates + Late. Refused is
// apart: what the receiver turned away (a connection over its budget, a
// request without the run's token, a bad signature, an oversize body,
// no memory free), counted by kind in RefusedBy.
type Webhook struct {
	Received   int64   `expr:"received" json:"received"`
	Malformed  int64   `expr:"malformed" json:"malformed"`   // unreadable, over 1 MiB or not a reply payload
	Unmatched  int64   `expr:"unmatched" json:"unmatched"`   // for a conversation the run does not know
	Duplicates int64   `expr:"duplicates" json:"duplicates"` // byte-identical to one already received for the turn
	Late       int64   `expr:"late" json:"late"`             // for a turn or a conversation already over
	Refused    int64   `expr:"refused" json:"refused"`       // turned away: the sum of RefusedBy
	RefusedBy  Refused `expr:"refused_by" json:"refused_by"`
}

// Refused counts what the webhook receiver turned away, by kind.
type Refused struct {
	Connections int64 `expr:"connections" json:"connections"` // over the connection budget, or fresh ones closed to make room
	Token       int64 `expr:"token" json:"token"`             // requests on no hook path of this run
	Signature   int64 `expr:"signature" json:"signature"`     // unsigned or wrongly signed callbacks
	Oversize    int64 `expr:"oversize" json:"oversize"`       // bodies over 1 MiB (also Malformed)
	Busy        int64 `expr:"busy" json:"busy"`               // callbacks that found no body memory in time
}

// Total is every refusal.
func (r Refused) Total() int64 {
	return r.Connections + r.Token + r.Signature + r.Oversize + r.Busy
}

// WatchWebhook makes every later Snapshot carry f's counters (the
// receiver's), so thresholds can check webhook.late during the run too.
func (r *Recorder) WatchWebhook(f func() Webhook) { r.webhook.Store(&f) }

// SendAttempts records the requests one customer message took, retries
// included; Snapshot reports their sum as send.attempts.
func (r *Recorder) SendAttempts(n int) { r.attempts.Add(int64(n)) }

func (r *Recorder) webhookCounts() Webhook {
	if f := r.webhook.Load(); f != nil {
		return (*f)()
	}
	return Webhook{}
}

// sendLatency is t's figures (send or send_ok), with the requests the
// messages took.
func (r *Recorder) sendLatency(t *timer) Latency {
	l := t.latency()
	l.Attempts = r.attempts.Load()
	return l
}
