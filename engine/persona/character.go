package persona

import (
	"context"
	"regexp"
	"strings"

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
	price         = regexp.MustCompile(`R\$\s*\d`)
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
func Drift(msg string, reply []transcript.Message) []string {
	var kinds []string
	n := fold.String(msg)
	if asksForData(n) {
		kinds = append(kinds, DriftAsksForData)
	}
	if strings.Contains(msg, "R$") && len(price.FindAllString(msg, 3)) >= 2 {
		kinds = append(kinds, DriftListsPrices)
	}
	if optionLines(msg) >= 2 {
		kinds = append(kinds, DriftListsOptions)
	}
	if repeats(n, reply) {
		kinds = append(kinds, DriftRepeatsAssistant)
	}
	if mayLeakReasoning(n) && reasoning.MatchString(msg) {
		kinds = append(kinds, DriftLeaksReasoning)
	}
	return kinds
}

// asksForData: "qual o seu CPF?", "informe seu e-mail", "pode me passar o
// celular?" — but not "posso mandar meu CPF?".
func asksForData(n string) bool {
	if !containsAny(n, dataWords) { // every pattern below needs one
		return false
	}
	if askPossessive.MatchString(n) || askImperative.MatchString(n) {
		return true
	}
	return strings.Contains(n, "?") && askQuestion.MatchString(n) && !ownData.MatchString(n)
}

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
	dataWords   = []string{"cpf", "celular", "telefone", "whatsapp", "email", "e-mail", "nome completo"}
	reasonWords = []string{"pensamento", "racioc", "reasoning", "thinking", "thought", "como ", "the user", "the assistant", "minha persona"}
)

// mayLeakReasoning reports whether n, the folded message, may match
// reasoning.
func mayLeakReasoning(n string) bool {
	return strings.ContainsRune(n, 'ſ') || containsAny(n, reasonWords)
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// repeats reports whether the message (normalised) holds a sentence of the
// reply, or is itself part of the reply, at least minRepeat long.
func repeats(n string, reply []transcript.Message) bool {
	r := fold.String(joinText(reply))
	msg := squash(n)
	if len(msg) >= minRepeat && strings.Contains(squash(r), msg) {
		return true
	}
	return sentences(r, func(s string) bool {
		s = squash(s)
		return len(s) >= minRepeat && strings.Contains(msg, s)
	})
}

func joinText(reply []transcript.Message) string {
	var b strings.Builder
	for _, m := range reply {
		b.WriteString(m.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// known is the user's generated data in comparable form.
type known struct {
	numbers map[string]bool // digits of every value with 10 or more digits, and phones without the country code
	emails  map[string]bool
}

func knownData(data map[string]map[string]string) known {
	k := known{numbers: map[string]bool{}, emails: map[string]bool{}}
	for _, attrs := range data {
		for _, v := range attrs {
			if strings.Contains(v, "@") {
				k.emails[strings.ToLower(strings.TrimSpace(v))] = true
			}
			if d := digits(v); len(d) >= 10 {
				k.numbers[d] = true
				if rest, ok := strings.CutPrefix(d, "55"); ok && len(d) >= 12 {
					k.numbers[rest] = true
				}
			}
		}
	}
	return k
}

var (
	numberLike = regexp.MustCompile(`\+?\(?\d[\d\s().-]{7,}\d`)
	cpfShaped  = regexp.MustCompile(`\d{3}\.\d{3}\.\d{3}-\d{2}`)
	emailLike  = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)
)

// mismatch lists the kinds of personal data msg discloses that are not the
// user's: cpf, phone, email.
func (k known) mismatch(msg string) []string {
	var kinds []string
	add := func(kind string) {
		for _, have := range kinds {
			if have == kind {
				return
			}
		}
		kinds = append(kinds, kind)
	}
	if hasTwoDigits(msg) { // numberLike needs two at least
		for _, m := range numberLike.FindAllString(msg, -1) {
			if kind := k.numberKind(m); kind != "" {
				add(kind)
			}
		}
	}
	if strings.IndexByte(msg, '@') >= 0 { // emailLike needs one
		for _, m := range emailLike.FindAllString(msg, -1) {
			if !k.emails[strings.ToLower(strings.TrimRight(m, "."))] {
				add("email")
			}
		}
	}
	return kinds
}

// numberKind classifies a number the user does not own: "cpf", "phone" or
// "" (known, or not personal data).
func (k known) numberKind(m string) string {
	d := digits(m)
	if k.numbers[d] {
		return ""
	}
	switch {
	case len(d) == 11 && (cpfShaped.MatchString(m) || datagen.ValidCPF(d)):
		return "cpf"
	case len(d) >= 10 && len(d) <= 13:
		return "phone"
	}
	return ""
}

func hasTwoDigits(s string) bool {
	n := 0
	for i := 0; i < len(s) && n < 2; i++ {
		if '0' <= s[i] && s[i] <= '9' {
			n++
		}
	}
	return n == 2
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
