package widget

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/voyplan/voyplan/engine/protocol/retry"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Sent is what SendMessage did.
type Sent struct {
	Status   int // HTTP status of the last attempt; 0 when it got no response
	Attempts int // requests made, retries included (1 or more)
}

// SendMessage posts one customer message for the conversation
// clientIdentifier and asks for the reply to be delivered to webhookURL,
// trying again up to v.Retries times with backoff when the send fails in a
// way worth retrying (see Voyager.Retries). The error is the last attempt's:
// a *StatusError for any status but 200, 201 or 202, or a transport error;
// when ctx ends during a backoff, the last attempt's error is returned at
// once. The reply itself arrives later on the webhook.
func (v *Voyager) SendMessage(ctx context.Context, clientIdentifier, text, webhookURL string) (Sent, error) {
	body, err := json.Marshal(sendBody{
		Type:             transcript.TypeText,
		Text:             text,
		ChannelID:        v.ChannelID,
		ClientIdentifier: clientIdentifier,
		Webhook:          webhookURL,
	})
	if err != nil {
		return Sent{}, fmt.Errorf("cannot encode the message: %w", err)
	}
	var sent Sent
	sent.Attempts, err = retry.Do(ctx, v.Retries, v.Backoff, func() (int, string, error) {
		var retryAfter string
		sent.Status, retryAfter, err = v.post(ctx, body)
		return sent.Status, retryAfter, err
	})
	return sent, err
}
