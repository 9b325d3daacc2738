// Package backoffpolicy is the one retry policy of voyplan: how long to wait
// before trying a failed request again, for the assistant's requests
// (engine/protocol/retry) and the persona model's (engine/llm). The waits
// grow exponentially with jitter (github.com/cenkalti/backoff/v5's
// ExponentialBackOff) up to a cap; a delay the server asks for
// (Retry-After, Gemini's RetryInfo) is honoured instead, with a little
// jitter of its own, unless it is longer than the caller will wait.
//
// It decides delays and reads Retry-After; it does not decide what is worth
// retrying (each caller knows its errors) nor wait (engine/internal/wait).
// Like every engine/internal package it imports nothing of this module.
package backoffpolicy
