// Package target owns how a plan speaks to the assistant beyond Voyager's
// widget API: the protocols (voyager, http, webhook, openai, sse,
// whatsapp), the schema of an http, webhook, openai, sse or whatsapp target
// block (request, response, session, callback, events; openai's stream;
// whatsapp's secrets, wa_id and channel_faults) and its decoding;
// Request, the per-turn request template evaluated by Render; and Extract,
// the expr-lang programs that read a reply out of a response, a callback
// or an event of a stream (ResponseEnv, CallbackEnv, EventEnv).
//
// It decodes and renders; it never sends anything. It may import
// engine/plan/decode, never engine/plan: the loader hands it a Scope.
package target
