// Package target owns how a plan speaks to the assistant beyond Voyager's
// widget API: the protocols (voyager, http, webhook, openai, sse,
// websocket, whatsapp), the schema of an http, webhook, openai, sse,
// websocket or whatsapp target block (request, response, session,
// callback, events, frames; openai's stream; websocket's url, headers,
// hello and send; whatsapp's secrets, wa_id and channel_faults) and its
// decoding; Request, the per-turn request template evaluated by Render
// (and a WebSocket connection's, rendered per conversation), Frame, the
// per-turn frame template; and Extract, the expr-lang programs that read
// a reply out of a response, a callback, an event of a stream or a frame
// (ResponseEnv, CallbackEnv, EventEnv, FrameEnv).
//
// It decodes and renders; it never sends anything. It may import
// engine/plan/decode, never engine/plan: the loader hands it a Scope.
package target
