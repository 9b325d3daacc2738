package metrics

// Webhook counts the callbacks that reached the webhook receiver, by what
// became of them. Received is every POST on a hook path carrying the run's
// token; each of the others is a subset of it. Once a run is over,
// Received = the callbacks taken as replies + Malformed + Unmatched +
// Duplicates + Late.
type Webhook struct {
	Received   int64 `expr:"received" json:"received"`
	Malformed  int64 `expr:"malformed" json:"malformed"`   // unreadable, over 1 MiB or not a reply payload
	Unmatched  int64 `expr:"unmatched" json:"unmatched"`   // for a conversation the run does not know
	Duplicates int64 `expr:"duplicates" json:"duplicates"` // byte-identical to one already received for the turn
	Late       int64 `expr:"late" json:"late"`             // for a turn or a conversation already over
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

func (r *Recorder) sendLatency() Latency {
	l := r.send.latency()
	l.Attempts = r.attempts.Load()
	return l
}
