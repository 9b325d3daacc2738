// Package persona holds the drivers that play a virtual customer: the Driver
// interface the conversation loop calls, and its implementations —
//
//   - Script: fixed lines in order, the old tool's no-LLM mode;
//   - Rules: ordered `rule` blocks whose when (an expr over the reply) picks
//     the say line, with a fallback; free, deterministic and adaptive;
//   - LLM: a model chat (engine/llm's Chat, behind the Model interface) that
//     answers each reply, images told as ImageNote, StopMarker ending the
//     conversation on purpose;
//   - Replay: a recorded conversation's customer messages in order while
//     the assistant's replies stay like the recorded ones (Similarity:
//     folded word overlap), then handing over to another driver, told the
//     conversation so far (History, Resume, Rules.Skip), or stopping;
//
// and Watch, which wraps any of them to flag the messages that break
// character (Drift: the customer acting as the assistant; data mismatch:
// disclosing personal data that is not the user's).
//
// A driver owns what the customer says and nothing else: it never talks to
// the assistant, never measures it, never decides whether a conversation is
// complete, and knows nothing of the network — the model is behind Model.
package persona
