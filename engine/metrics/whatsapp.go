package metrics

// WhatsApp counts a whatsapp target's channel (protocol "whatsapp"): what
// became of the deliveries voyplan made to the bot as Meta, and of the
// Graph API calls the bot made to voyplan's stand-in. All zero for other
// protocols. GraphCalls is every call; Messages (= Text + Media +
// Interactive + Templates) and ReadMarks were taken, AuthFailures,
// UnknownRecipients, UnknownPhone, Malformed and Oversize refused with the
// Graph API's error shape.
type WhatsApp struct {
	Deliveries        int64 `expr:"deliveries" json:"deliveries"`               // messages webhooks POSTed to the bot, re-deliveries included
	SignatureRefused  int64 `expr:"signature_refused" json:"signature_refused"` // deliveries the bot answered 401/403
	DeliveryFailed    int64 `expr:"delivery_failed" json:"delivery_failed"`     // deliveries answered otherwise than 2xx, or not in time
	GraphCalls        int64 `expr:"graph_calls" json:"graph_calls"`
	Messages          int64 `expr:"messages" json:"messages"`
	Text              int64 `expr:"text" json:"text"`
	Media             int64 `expr:"media" json:"media"`
	Interactive       int64 `expr:"interactive" json:"interactive"`
	Templates         int64 `expr:"templates" json:"templates"`
	WithContext       int64 `expr:"with_context" json:"with_context"` // sends naming the message they answer
	ReadMarks         int64 `expr:"read_marks" json:"read_marks"`
	AuthFailures      int64 `expr:"auth_failures" json:"auth_failures"`           // a missing or wrong bearer token: 401
	UnknownRecipients int64 `expr:"unknown_recipients" json:"unknown_recipients"` // a `to` (or a read mark's message) of no open conversation
	UnknownPhone      int64 `expr:"unknown_phone" json:"unknown_phone"`           // another phone_number_id than the target's
	Malformed         int64 `expr:"malformed" json:"malformed"`                   // not a send: bad JSON, a missing field, an unknown type, a bad path or method
	Oversize          int64 `expr:"oversize" json:"oversize"`                     // bodies over 1 MiB: 413
	// Statuses are the statuses webhooks (sent, delivered, read) posted to
	// the bot (target statuses = true); StatusFailed those it did not take.
	Statuses     int64 `expr:"statuses" json:"statuses"`
	StatusFailed int64 `expr:"status_failed" json:"status_failed"`
}

// WatchWhatsApp makes every later Snapshot carry f's counters (the
// whatsapp protocol's), so thresholds can check them during the run too.
func (r *Recorder) WatchWhatsApp(f func() WhatsApp) { r.whatsapp.Store(&f) }

func (r *Recorder) whatsappCounts() WhatsApp {
	if f := r.whatsapp.Load(); f != nil {
		return (*f)()
	}
	return WhatsApp{}
}

// plus adds two segments' counters.
func (w WhatsApp) plus(o WhatsApp) WhatsApp {
	return WhatsApp{
		Deliveries: w.Deliveries + o.Deliveries, SignatureRefused: w.SignatureRefused + o.SignatureRefused,
		DeliveryFailed: w.DeliveryFailed + o.DeliveryFailed, GraphCalls: w.GraphCalls + o.GraphCalls,
		Messages: w.Messages + o.Messages, Text: w.Text + o.Text, Media: w.Media + o.Media,
		Interactive: w.Interactive + o.Interactive, Templates: w.Templates + o.Templates,
		WithContext: w.WithContext + o.WithContext, ReadMarks: w.ReadMarks + o.ReadMarks,
		AuthFailures: w.AuthFailures + o.AuthFailures, UnknownRecipients: w.UnknownRecipients + o.UnknownRecipients,
		UnknownPhone: w.UnknownPhone + o.UnknownPhone, Malformed: w.Malformed + o.Malformed, Oversize: w.Oversize + o.Oversize,
		Statuses: w.Statuses + o.Statuses, StatusFailed: w.StatusFailed + o.StatusFailed,
	}
}

// Channel counts the faults voyplan made on the customer's side of the
// channel (a whatsapp or webhook target's channel_faults) and what the bot
// did with them: Redelivered messages delivered again with the same id
// after their turn's reply, DuplicateReplies the bot's answers to such a
// copy — a bot that is not idempotent answers (and bills) twice —,
// Delayed deliveries held back, and OutOfOrder deliveries that reached the
// bot after one that became due later.
type Channel struct {
	Redelivered      int64 `expr:"redelivered" json:"redelivered"`
	DuplicateReplies int64 `expr:"duplicate_replies" json:"duplicate_replies"`
	Delayed          int64 `expr:"delayed" json:"delayed"`
	OutOfOrder       int64 `expr:"out_of_order" json:"out_of_order"`
}

// WatchChannel makes every later Snapshot carry f's counters.
func (r *Recorder) WatchChannel(f func() Channel) { r.channel.Store(&f) }

func (r *Recorder) channelCounts() Channel {
	if f := r.channel.Load(); f != nil {
		return (*f)()
	}
	return Channel{}
}

func (c Channel) plus(o Channel) Channel {
	return Channel{Redelivered: c.Redelivered + o.Redelivered, DuplicateReplies: c.DuplicateReplies + o.DuplicateReplies,
		Delayed: c.Delayed + o.Delayed, OutOfOrder: c.OutOfOrder + o.OutOfOrder}
}
