package persona

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/internal/fold"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Kinds of drift: how a customer's message broke character.
const (
	DriftAsksForData      = "asks_for_data"     // asks for a CPF, phone, e-mail or full name, as the assistant does
	DriftListsPrices      = "lists_prices"      // quotes two or more prices
	DriftListsOptions     = "lists_options"     // offers a numbered or bulleted menu
	DriftRepeatsAssistant = "repeats_assistant" // repeats a sentence of the assistant's last reply
	DriftLeaksReasoning   = "leaks_reasoning"   // shows its reasoning or talks about its role
)

// Watch wraps d so every message it produces is checked for staying in
// character: Step.Drift lists the ways it acted as the assistant (see
// Drift), Step.DataMismatch the personal data it disclosed that is not the
// user's (see Mismatch). data is the user's generated data.
func Watch(d Driver, data map[string]map[string]string) Driver {
	return &watcher{d: d, known: knownData(data)}
}

type watcher struct {
	d     Driver
	known known
}

func (w *watcher) Next(ctx context.Context, reply []transcript.Message) (Step, error) {
	step, err := w.d.Next(ctx, reply)
	if err != nil || step.Stop || step.Text == "" {
		return step, err
	}
	step.Drift = Drift(step.Text, reply)
	step.DataMismatch = w.known.mismatch(step.Text)
	return step, nil
}

var (
	dataWord      = `(cpf|celular|telefone|whatsapp|e-?mail|nome completo)`
	askPossessive = regexp.MustCompile(`\b(seu|sua|teu|tua)\s+` + dataWord + `\b`)
	askImperative = regexp.MustCompile(`^(informe|envie|digite|passe|confirme|me (passe|passa|informe|envie|diga|manda|fala))\b.*\b` + dataWord + `\b`)
	askQuestion   = regexp.MustCompile(`\b` + dataWord + `\b`)
	ownData       = regexp.MustCompile(`\b(meu|minha|meus|minhas)\b`)
	optionLine    = regexp.MustCompile(`^\s*(\d{1,2}\s*[.)]|\d\x{FE0F}?\x{20E3}|[•*-])\s*\S`)
	reasoning     = regexp.MustCompile(`(?i)((^|\n)\s*\**(pensamento|racioc[ií]nio|reasoning|thinking|thought)s?\**\s*:|\b(como (uma )?(ia|intelig[eê]ncia artificial|modelo de linguagem))\b|\bthe (user|assistant)\b|\bminha persona\b)`)
)

// minRepeat is the shortest sentence (normalised characters) whose
// repetition counts as drift: short choices ("sim", "comprar ingressos")
// are the customer's own words even when the menu has them too.
const minRepeat = 25

// Drift lists how msg, a customer's message answering reply, acts as the
// assistant: it asks for personal data, lists prices or options, repeats a
// sentence of the reply, or leaks reasoning. Cheap heuristics, in Brazilian
// Portuguese; nil when the message stays in character.
//
// It runs on every message of a run: msg and reply are folded once each,
// into pooled buffers (scratch), and the reply only when the message is
// long enough to repeat a sentence of it.
func Drift(msg string, reply []transcript.Message) []string {
	sc := scratches.Get().(*scratch)
	defer sc.release()
	var kinds []string
	sc.msg = fold.Append(sc.msg[:0], msg)
	n := sc.msg
	if asksForData(n) {
		kinds = append(kinds, DriftAsksForData)
	}
	if listsPrices(msg) {
		kinds = append(kinds, DriftListsPrices)
	}
	if optionLines(msg) >= 2 {
		kinds = append(kinds, DriftListsOptions)
	}
	if sc.repeats(reply) {
		kinds = append(kinds, DriftRepeatsAssistant)
	}
	if mayLeakReasoning(n) && reasoning.MatchString(msg) {
		kinds = append(kinds, DriftLeaksReasoning)
	}
	return kinds
}

// scratch is Drift's working memory: the message folded (msg) and squashed
// (msgSquash), the reply folded (reply) and squashed (replySquash), and the
// spans of the reply's sentences in replySquash.
type scratch struct {
	msg, msgSquash, reply, replySquash []byte
	sentences                          [][2]int
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// maxScratch bounds the buffers the pool keeps: a huge message or reply
// does not pin its memory.
const maxScratch = 64 << 10

func (sc *scratch) release() {
	if cap(sc.msg) > maxScratch || cap(sc.msgSquash) > maxScratch || cap(sc.reply) > maxScratch ||
		cap(sc.replySquash) > maxScratch || cap(sc.sentences) > maxScratch/16 {
		return
	}
	scratches.Put(sc)
}

// asksForData: "qual o seu CPF?", "informe seu e-mail", "pode me passar o
// celular?" — but not "posso mandar meu CPF?". n is the folded message.
func asksForData(n []byte) bool {
	if !containsAny(n, dataWords) { // every pattern below needs one
		return false
	}
	if containsAny(n, possessives) && askPossessive.Match(n) || hasAnyPrefix(n, imperatives) && askImperative.Match(n) {
		return true
	}
	return bytes.IndexByte(n, '?') >= 0 && askQuestion.Match(n) && !ownData.Match(n)
}

// listsPrices reports whether msg holds two prices, two matches of
// `R\$\s*\d` ("R$", white space, a digit), found by hand: they cannot
// overlap, so each "R$" followed by one is a match.
func listsPrices(msg string) bool {
	found := 0
	for i := 0; ; {
		j := strings.Index(msg[i:], "R$")
		if j < 0 {
			return false
		}
		k := i + j + 2
		for k < len(msg) && isSpace(msg[k]) {
			k++
		}
		if k < len(msg) && isDigit(msg[k]) {
			if found++; found == 2 {
				return true
			}
		}
		i += j + 2
	}
}

// isSpace is regexp's \s: ASCII white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func optionLines(msg string) int {
	count := 0
	for rest := msg; ; {
		line, more, found := strings.Cut(rest, "\n")
		if mayBeOption(line) && optionLine.MatchString(line) {
			count++
		}
		if !found {
			return count
		}
		rest = more
	}
}

// mayBeOption: optionLine can only match a line whose first character
// after its leading white space (\s: space, \t, \n, \f, \r) is a digit, a
// bullet, an asterisk or a dash.
func mayBeOption(line string) bool {
	line = strings.TrimLeft(line, " \t\n\f\r")
	if line == "" {
		return false
	}
	c := line[0]
	return '0' <= c && c <= '9' || c == '*' || c == '-' || strings.HasPrefix(line, "•")
}

// The literals the regexps need, to skip them when a message has none (the
// checks allocate nothing then). dataWords: every ask pattern holds
// dataWord; reasonWords: every branch of reasoning holds one of these,
// lowercased — and fold lowercases, keeps ASCII runs, and leaves ſ, the
// one non-ASCII rune (?i) matches an ASCII letter ('s') with, as it is.
var (
	dataWords   = byteStrings("cpf", "celular", "telefone", "whatsapp", "email", "e-mail", "nome completo")
	reasonWords = byteStrings("pensamento", "racioc", "reasoning", "thinking", "thought", "como ", "the user", "the assistant", "minha persona")
	// possessives: askPossessive holds one; imperatives: askImperative,
	// anchored, starts with one ("me " and a verb).
	possessives = byteStrings("seu", "sua", "teu", "tua")
	imperatives = byteStrings("informe", "envie", "digite", "passe", "confirme", "me ")
)

func byteStrings(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// mayLeakReasoning reports whether n, the folded message, may match
// reasoning.
func mayLeakReasoning(n []byte) bool {
	return bytes.ContainsRune(n, 'ſ') || containsAny(n, reasonWords)
}

func hasAnyPrefix(s []byte, prefixes [][]byte) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func containsAny(s []byte, subs [][]byte) bool {
	for _, sub := range subs {
		if bytes.Contains(s, sub) {
			return true
		}
	}
	return false
}

// repeats reports whether the message (folded in sc.msg, then squashed)
// holds a sentence of the reply, or is itself part of the reply, at least
// minRepeat long. Squashing never lengthens text, so a message shorter than
// minRepeat can do neither, and the reply is not even folded then. The
// reply is folded once and squashed once; its sentences are spans of that
// squash (a sentence mark is no word character, so a sentence's squash is
// the run of the whole squash between its first and last word).
func (sc *scratch) repeats(reply []transcript.Message) bool {
	if len(sc.msg) < minRepeat {
		return false
	}
	sc.msgSquash = appendSquash(sc.msgSquash[:0], nil, sc.msg)
	msg := sc.msgSquash
	if len(msg) < minRepeat {
		return false
	}
	sc.reply = sc.reply[:0]
	for _, m := range reply { // as folding the items joined: nothing composes across a "\n"
		sc.reply = append(fold.Append(sc.reply, m.Text), '\n')
	}
	sc.sentences = sc.sentences[:0]
	sc.replySquash = appendSquash(sc.replySquash[:0], &sc.sentences, sc.reply)
	if bytes.Contains(sc.replySquash, msg) {
		return true
	}
	for _, span := range sc.sentences {
		if s := sc.replySquash[span[0]:span[1]]; len(s) >= minRepeat && len(s) <= len(msg) && bytes.Contains(msg, s) {
			return true
		}
	}
	return false
}

// known is the user's generated data in comparable form, kept small: a
// watcher holds one per virtual user for the whole conversation, and a
// user has a handful of values, so a linear search of two short strings
// (hasNumber, hasEmail) is as fast as a map lookup and costs no map.
//
// numbers holds the digits of every value with 10 or more, each followed
// by a space; a phone given with the country code (55, 12 digits or more)
// is known without it too, through hasNumber. emails holds every value
// with an "@", trimmed and lowercased (strings.ToLower), separated by
// spaces: with one address already in that form, the user's own string.
type known struct {
	numbers, emails string
}

func knownData(data map[string]map[string]string) known {
	var k known
	var buf [64]byte
	numbers := buf[:0]
	for _, attrs := range data {
		for _, v := range attrs {
			if strings.Contains(v, "@") {
				// Not one holding a space, the separator: no address
				// mismatch looks up (nextEmail's) has one, it could never
				// be found.
				if e := strings.ToLower(strings.TrimSpace(v)); !strings.Contains(e, " ") {
					if k.emails != "" {
						e = k.emails + " " + e
					}
					k.emails = e
				}
			}
			n := len(numbers)
			if numbers = appendDigits(numbers, v); len(numbers)-n >= 10 {
				numbers = append(numbers, ' ')
			} else {
				numbers = numbers[:n]
			}
		}
	}
	k.numbers = string(numbers)
	return k
}

var cpfShaped = regexp.MustCompile(`\d{3}\.\d{3}\.\d{3}-\d{2}`)

// mismatch lists the kinds of personal data msg discloses that are not the
// user's: cpf, phone, email. It allocates nothing but its result: the
// numbers and e-mail addresses are found by hand (nextNumber, nextEmail)
// and looked up through stack buffers.
func (k known) mismatch(msg string) []string {
	var kinds []string
	if hasTwoDigits(msg) { // a number needs two at least
		for i := 0; ; {
			start, end, ok := nextNumber(msg, i)
			if !ok {
				break
			}
			if kind := k.numberKind(msg[start:end]); kind != "" {
				kinds = addKind(kinds, kind)
			}
			i = end
		}
	}
	if strings.IndexByte(msg, '@') >= 0 { // an address needs one
		for i := 0; ; {
			start, end, ok := nextEmail(msg, i)
			if !ok {
				break
			}
			var buf [64]byte
			if !k.hasEmail(appendLowerASCII(buf[:0], msg[start:end])) {
				kinds = addKind(kinds, "email")
			}
			i = end
		}
	}
	return kinds
}

// hasNumber reports whether d, digits, are the user's: the digits of one
// of its values, or those of a phone with the country code (55, 12 digits
// or more) without it.
func (k known) hasNumber(d []byte) bool {
	for s := k.numbers; s != ""; s = nextEntry(s) {
		if isEntry(s, d) || len(d) >= 10 && strings.HasPrefix(s, "55") && isEntry(s[2:], d) {
			return true
		}
	}
	return false
}

// hasEmail reports whether e, an address lowercased, is one of the user's.
func (k known) hasEmail(e []byte) bool {
	for s := k.emails; s != ""; s = nextEntry(s) {
		if isEntry(s, e) {
			return true
		}
	}
	return false
}

// isEntry reports whether s, a list of known's from one of its entries on,
// starts with the entry x. x holds no space.
func isEntry(s string, x []byte) bool {
	return len(s) >= len(x) && string(x) == s[:len(x)] && (len(s) == len(x) || s[len(x)] == ' ')
}

// nextEntry is s, a list of known's from one of its entries on, from the
// next entry on: "" after the last.
func nextEntry(s string) string {
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return ""
	}
	return s[i+1:]
}

func addKind(kinds []string, kind string) []string {
	if slices.Contains(kinds, kind) {
		return kinds
	}
	return append(kinds, kind)
}

// numberKind classifies a number the user does not own: "cpf", "phone" or
// "" (known, or not personal data).
func (k known) numberKind(m string) string {
	var buf [32]byte
	d := appendDigits(buf[:0], m)
	if k.hasNumber(d) {
		return ""
	}
	switch {
	case len(d) == 11 && (cpfShaped.MatchString(m) || datagen.ValidCPF(m)): // ValidCPF reads m's digits, d
		return "cpf"
	case len(d) >= 10 && len(d) <= 13:
		return "phone"
	}
	return ""
}

// nextNumber finds the first match at or after i of
// `\+?\(?\d[\d\s().-]{7,}\d`, as regexp's leftmost-first search would, by
// hand: a "+" and a "(", each optional, a digit, then the longest run of
// digits, white space, parentheses, dots and dashes that ends in a digit
// at least eight characters on. The optional "+" and "(" leave no choice
// (neither is a digit), so each start has one match or none.
func nextNumber(s string, i int) (start, end int, ok bool) {
	for p := i; p < len(s); p++ {
		q := p
		if s[q] == '+' {
			q++
		}
		if q < len(s) && s[q] == '(' {
			q++
		}
		if q >= len(s) || !isDigit(s[q]) {
			continue
		}
		end := -1
		for j := q + 1; j < len(s) && inNumber(s[j]); j++ {
			if j-(q+1) >= 7 && isDigit(s[j]) {
				end = j + 1
			}
		}
		if end > 0 {
			return p, end, true
		}
	}
	return 0, 0, false
}

// inNumber is `[\d\s().-]`.
func inNumber(c byte) bool {
	return isDigit(c) || isSpace(c) || c == '(' || c == ')' || c == '.' || c == '-'
}

// nextEmail finds the first match at or after i of
// `[\w.+-]+@[\w-]+(\.[\w-]+)+`, as regexp's leftmost-first search would, by
// hand: the longest run of local characters, "@", the longest run of domain
// characters, then every "." and run of them that follows — at least one.
// A run that fails fails from any of its characters (they share its end),
// so the search goes on after it.
func nextEmail(s string, i int) (start, end int, ok bool) {
	for p := i; p < len(s); {
		if !inLocal(s[p]) {
			p++
			continue
		}
		at := p
		for at < len(s) && inLocal(s[at]) {
			at++
		}
		if end := emailDomainEnd(s, at); end > 0 {
			return p, end, true
		}
		p = at
	}
	return 0, 0, false
}

// emailDomainEnd is where `@[\w-]+(\.[\w-]+)+` matching at s[at:] ends,
// or -1.
func emailDomainEnd(s string, at int) int {
	if at >= len(s) || s[at] != '@' {
		return -1
	}
	f := at + 1
	for f < len(s) && inDomain(s[f]) {
		f++
	}
	if f == at+1 {
		return -1
	}
	end := -1
	for f < len(s) && s[f] == '.' {
		g := f + 1
		for g < len(s) && inDomain(s[g]) {
			g++
		}
		if g == f+1 {
			break
		}
		end, f = g, g
	}
	return end
}

// inDomain is `[\w-]`, inLocal `[\w.+-]`: regexp's \w is ASCII.
func inDomain(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '_' || c == '-'
}

func inLocal(c byte) bool { return inDomain(c) || c == '.' || c == '+' }

func hasTwoDigits(s string) bool {
	n := 0
	for i := 0; i < len(s) && n < 2; i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n == 2
}

func appendDigits(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// appendLowerASCII appends s with its ASCII letters lowercased, as
// strings.ToLower does to an ASCII string.
func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
