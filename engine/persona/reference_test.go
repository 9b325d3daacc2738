package persona

import (
	"regexp"
	"strings"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/internal/fold"
	"github.com/voyplan/voyplan/engine/transcript"
)

// The character checks as they were before they were made cheap (issue
// 16): a fold per check into fresh strings, a []string of squashed
// sentences, the data regexps' FindAllString. TestChecksMatchTheReference
// holds Drift and mismatch to them. Folding is the chain itself
// (fold.Chain of the lowered text), what fold.String is held to.

var (
	refPrice      = regexp.MustCompile(`R\$\s*\d`)
	refNumberLike = regexp.MustCompile(`\+?\(?\d[\d\s().-]{7,}\d`)
	refEmailLike  = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)
)

func refFold(s string) string { return fold.Chain(strings.ToLower(s)) }

func refDrift(msg string, reply []transcript.Message) []string {
	var kinds []string
	n := refFold(msg)
	if refAsksForData(n) {
		kinds = append(kinds, DriftAsksForData)
	}
	if strings.Contains(msg, "R$") && len(refPrice.FindAllString(msg, 3)) >= 2 {
		kinds = append(kinds, DriftListsPrices)
	}
	if refOptionLines(msg) >= 2 {
		kinds = append(kinds, DriftListsOptions)
	}
	if refRepeats(n, reply) {
		kinds = append(kinds, DriftRepeatsAssistant)
	}
	if reasoning.MatchString(msg) {
		kinds = append(kinds, DriftLeaksReasoning)
	}
	return kinds
}

func refAsksForData(n string) bool {
	if askPossessive.MatchString(n) || askImperative.MatchString(n) {
		return true
	}
	return strings.Contains(n, "?") && askQuestion.MatchString(n) && !ownData.MatchString(n)
}

func refOptionLines(msg string) int {
	count := 0
	for _, line := range strings.Split(msg, "\n") {
		if optionLine.MatchString(line) {
			count++
		}
	}
	return count
}

func refRepeats(n string, reply []transcript.Message) bool {
	r := refFold(refJoinText(reply))
	msg := refSquash(n)
	if len(msg) >= minRepeat && strings.Contains(refSquash(r), msg) {
		return true
	}
	return refSentences(r, func(s string) bool {
		s = refSquash(s)
		return len(s) >= minRepeat && strings.Contains(msg, s)
	})
}

func refJoinText(reply []transcript.Message) string {
	var b strings.Builder
	for _, m := range reply {
		b.WriteString(m.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func refSquash(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		if isWordRune(r) {
			if !inWord && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			inWord = true
			continue
		}
		inWord = false
	}
	return b.String()
}

func refSentences(s string, fn func(string) bool) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSentenceMark(s[i]) {
			continue
		}
		if i > start && fn(s[start:i]) {
			return true
		}
		start = i + 1
	}
	return false
}

func (k known) refMismatch(msg string) []string {
	var kinds []string
	add := func(kind string) {
		for _, have := range kinds {
			if have == kind {
				return
			}
		}
		kinds = append(kinds, kind)
	}
	for _, m := range refNumberLike.FindAllString(msg, -1) {
		if kind := k.refNumberKind(m); kind != "" {
			add(kind)
		}
	}
	for _, m := range refEmailLike.FindAllString(msg, -1) {
		if !k.hasEmail([]byte(strings.ToLower(strings.TrimRight(m, ".")))) {
			add("email")
		}
	}
	return kinds
}

func (k known) refNumberKind(m string) string {
	d := datagen.Digits(m)
	if k.hasNumber([]byte(d)) {
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
