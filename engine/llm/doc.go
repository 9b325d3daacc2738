// Package llm is the simulated customers' model client: Gemini through
// google.golang.org/genai. It owns everything about talking to the model —
// one Client per llm block and run (the genai client, the retry policy, the
// requests- and tokens-per-minute limiters shared by every virtual user),
// one Chat per virtual user (the persona prompt as system instruction, the
// history), and turning usage metadata (input, output and thinking tokens)
// into dollars.
//
// Retries: the SDK retries nothing by default and ignores Retry-After, so a
// Chat retries itself — HTTP 429, 408 and 5xx, and transport errors
// (including an attempt that outlives the block's timeout) — with exponential
// backoff and full jitter, honouring the delay the server asks for (the
// Retry-After header, or the google.rpc.RetryInfo retryDelay in the error
// body) when it gives one. Every attempt passes the limiters first; the time
// spent waiting there is reported apart from the model's latency.
//
// It knows nothing of personas, conversations or the assistant under test:
// engine/persona decides what to send and what to do with the answer, and
// engine/run records the figures.
package llm
