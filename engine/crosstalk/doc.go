// Package crosstalk finds, in an assistant's reply, another virtual
// customer's data: a value one of the run's data blocks generated for a
// different user (a full name, CPF, phone, e-mail, any identifying value),
// or a payment link already sent to a different user's conversation. A bot
// that mixes sessions under load — a shared cache, a race in its
// conversation store — does exactly that, and it only shows under
// concurrency.
//
// An Index grows as users start (AddUser) and as links are sent
// (AddLinks), and is read by every reply (Check). It is a hash map from
// the 64-bit hash of a normalised value to its owners: Check looks up the
// reply's word sequences (up to the longest value's word count, grown
// only while they start an indexed value, by a hash of each value's first
// words) and its numbers' digit-group runs — about one read of a small map
// per word under a read lock — and a user start is a handful of inserts.
// The values themselves are not kept, only their hashes: a word sequence
// sharing a value's hash would be taken for it, odds of about one in
// 10^12 a reply at 10,000 users (see Index). An Aho–Corasick automaton
// over the values (github.com/coregx/ahocorasick, the kept library the Go
// proxy serves) was measured first and dropped: its dense DFA must be
// rebuilt as the index grows, and at 10,000 users that cost 1.8 ms per
// user start, single rebuilds of 5 s, and a slower scan than the lookups
// (BENCH.md).
//
// What counts as another customer's data (the rule, also in README.md):
//   - values are compared normalised: text case- and accent-folded with
//     white space collapsed; numbers (values with no letters and at least 8
//     digits: CPF, phone) by their digits, so 529.982.247-25 in a reply
//     matches 52998224725 and "+55 (85) 99123-4567" matches 5585991234567;
//   - a text match must stand as whole words, a number match must span
//     whole digit groups (a CPF inside a longer number does not count);
//   - values that identify no one are not indexed: text shorter than 8
//     characters, a single word of letters (a first name, a city), numbers
//     of fewer than 8 digits;
//   - a value the replying conversation's own user also has (two customers
//     share a full name) is that user's own, and so is any match lying
//     inside one of the user's own values;
//   - a value more than MaxShared users have is common (a constant, a pick
//     from a short list), not identifying;
//   - a link is indexed when a path segment or query value is an id (16 or
//     more letters, digits, - or _, with a digit), first seen in a reply to
//     its owner; one seen first in another conversation is not caught. The
//     index remembers the last LinkGeneration to 2×LinkGeneration links
//     sent (16,384 to 32,768), so a long run's memory stays flat: a link
//     leaked after that many others were sent is not caught either.
//
// It knows transcript messages and nothing else of the engine: the run
// feeds it, the metrics count what it flags.
package crosstalk
