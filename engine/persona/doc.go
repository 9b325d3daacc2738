// Package persona holds the drivers that play a virtual customer: the Driver
// interface the conversation loop calls, and its implementations (script now;
// rules and llm later). A driver owns what the customer says and nothing
// else: it never talks to the assistant, never measures the assistant, and
// never decides whether a conversation is complete.
package persona
