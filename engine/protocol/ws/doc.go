// Package ws is the WebSocket wire of protocol websocket, over
// github.com/coder/websocket: dialing with headers and a subprotocol, one
// reader goroutine per connection that stamps each frame on the monotonic
// clock as its last byte arrives and hands it over with backpressure (a
// flood fills a small queue and then waits, it never grows memory), a
// size limit per frame, keep-alive pings, and close codes turned into
// errors that say what happened.
//
// It knows nothing of plans, expressions or turns: engine/protocol's
// websocket session decides what a frame means. It imports nothing of
// this module.
package ws
