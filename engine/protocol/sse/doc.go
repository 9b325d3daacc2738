// Package sse reads Server-Sent Events (text/event-stream, the HTML
// standard's "event stream interpretation"): lines of `field: value`,
// events ended by a blank line, comments starting with a colon. It is the
// wire format the openai (stream = true) and sse protocols share.
//
// It is strict where a lenient reader would hang or grow without bound: a
// line that is not a known field (event, data, id, retry) is a *SyntaxError
// naming the line, an event larger than the reader's limit is
// ErrTooLarge. It owns the parsing only: what an event means is the
// protocol's (engine/protocol); it imports nothing of this module.
package sse
