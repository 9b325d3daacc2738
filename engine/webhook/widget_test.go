package webhook

import (
	"github.com/voyplan/voyplan/engine/protocol/widget"
)

// The receiver knows no payload format; most tests post the widget API's
// payloads, so their receivers get its parser, as the voyager protocol
// installs it.

// withWidget installs the widget API's payload parser on r.
func withWidget(r *Receiver) *Receiver {
	r.SetParser(ParserFunc(widget.ParsePayload))
	return r
}

// listenWidget is Listen with the widget API's payload parser installed.
func listenWidget(addr string) (*Receiver, error) {
	r, err := Listen(addr)
	if err != nil {
		return nil, err
	}
	return withWidget(r), nil
}
