package sim

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/datagen"
)

// input is one customer message in the forms the parsers need. norm is raw
// lower-cased with accents folded rune by rune, so rune i of norm is rune i
// of raw; words are norm's runs of letters and digits.
type input struct {
	raw   string
	norm  string
	words []string
}

func newInput(text string) input {
	raw := strings.TrimSpace(text)
	norm := normalize(raw)
	return input{raw: raw, norm: norm, words: words(norm)}
}

// foldRunes maps the accented letters of Portuguese to plain ASCII, one rune
// for one rune.
var foldRunes = map[rune]rune{
	'á': 'a', 'à': 'a', 'ã': 'a', 'â': 'a', 'ä': 'a',
	'é': 'e', 'ê': 'e', 'è': 'e', 'ë': 'e',
	'í': 'i', 'î': 'i', 'ì': 'i', 'ï': 'i',
	'ó': 'o', 'ô': 'o', 'õ': 'o', 'ò': 'o', 'ö': 'o',
	'ú': 'u', 'û': 'u', 'ù': 'u', 'ü': 'u',
	'ç': 'c', 'ñ': 'n', 'º': 'o', 'ª': 'a',
}

// normalize lower-cases s and folds its accents without changing its
// number of runes.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		r = unicode.ToLower(r)
		if f, ok := foldRunes[r]; ok {
			return f
		}
		return r
	}, s)
}

// words splits a normalized string into runs of letters and runs of
// digits ("2x" is "2", "x"), keeping ordinals such as "2o" whole.
func words(norm string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(norm, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		out = append(out, splitDigits(tok)...)
	}
	return out
}

var ordinalRe = regexp.MustCompile(`^\d+[oa]$`)

func splitDigits(tok string) []string {
	if ordinalRe.MatchString(tok) {
		return []string{tok}
	}
	var out []string
	start := 0
	for i, r := range tok {
		if i > 0 && unicode.IsDigit(r) != isDigitAt(tok, start) {
			out = append(out, tok[start:i])
			start = i
		}
	}
	return append(out, tok[start:])
}

func isDigitAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsDigit(r)
}

func (in input) has(subs ...string) bool {
	for _, s := range subs {
		if strings.Contains(in.norm, s) {
			return true
		}
	}
	return false
}

func (in input) hasWord(ws ...string) bool {
	for _, w := range in.words {
		for _, want := range ws {
			if w == want {
				return true
			}
		}
	}
	return false
}

// answer is a yes/no reading of a message.
type answer int

const (
	unclear answer = iota
	yes
	no
)

var (
	yesWords = set("sim", "s", "pode", "claro", "aceito", "quero", "ok", "okay", "isso",
		"confirmo", "confirma", "confirmar", "confirmado", "bora", "beleza", "perfeito",
		"certo", "positivo", "aham", "topo", "yes")
	noWords = set("nao", "n", "dispenso", "nem", "negativo", "recuso", "no", "nunca")
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// yesNo reads the first decisive word: "não quero" is no, "sim, não vejo a
// hora" is yes.
func yesNo(in input) answer {
	for _, w := range in.words {
		switch {
		case yesWords[w]:
			return yes
		case noWords[w]:
			return no
		}
	}
	return unclear
}

// afterPhrase returns the raw text after the first of phrases found in the
// normalized text, or "" when none occurs.
func afterPhrase(in input, phrases ...string) string {
	for _, p := range phrases {
		if i := wordIndex(in.norm, p); i >= 0 {
			runes := []rune(in.raw)
			at := len([]rune(in.norm[:i+len(p)]))
			return strings.TrimSpace(string(runes[at:]))
		}
	}
	return ""
}

// wordIndex is the index of the first p in s that begins a word — "e "
// is not found in "felipe souza" — or -1.
func wordIndex(s, p string) int {
	for from := 0; from < len(s); {
		j := strings.Index(s[from:], p)
		if j < 0 {
			return -1
		}
		i := from + j
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || !unicode.IsLetter(r) {
			return i
		}
		from = i + 1
	}
	return -1
}

var (
	namePhrases = []string{"pode me chamar de ", "me chama de ", "me chamo ", "meu nome e ",
		"meu nome eh ", "aqui e a ", "aqui e o ", "eu sou a ", "eu sou o ", "eu sou ",
		"sou a ", "sou o ", "sou "}
	greetingWords = set("oi", "ola", "bom", "boa", "dia", "tarde", "noite", "tudo", "bem",
		"e", "ai", "hey", "opa", "eae", "oie", "obrigado", "obrigada", "prazer")
)

// firstName extracts how the customer wants to be called: the word after a
// lead-in such as "me chamo", or else the first word that is not a greeting.
// Any non-empty text gives a name.
func firstName(in input) string {
	rest := afterPhrase(in, namePhrases...)
	skip := map[string]bool{}
	if rest == "" {
		rest, skip = in.raw, greetingWords
	}
	for _, w := range letterWords(rest) {
		if !skip[normalize(w)] {
			return capitalize(w)
		}
	}
	if ws := letterWords(in.raw); len(ws) > 0 {
		return capitalize(ws[len(ws)-1])
	}
	return in.raw
}

// letterWords splits raw text into words made of letters (and inner
// apostrophes or hyphens), dropping emoji and punctuation.
func letterWords(raw string) []string {
	return strings.FieldsFunc(raw, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '-'
	})
}

func capitalize(w string) string {
	r := []rune(w)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

var fullNamePhrases = []string{"meu nome completo e ", "nome completo e ", "nome completo: ",
	"nome completo ", "meu nome e ", "me chamo ", "e "}

// fullName returns the customer's full name when the message holds at
// least two words of two or more letters.
func fullName(in input) (string, bool) {
	rest := in.raw
	if r := afterPhrase(in, fullNamePhrases...); r != "" {
		rest = r
	}
	var parts []string
	for _, w := range letterWords(rest) {
		if len([]rune(w)) >= 2 || len(parts) > 0 {
			parts = append(parts, w)
		}
	}
	if len(parts) < 2 {
		return "", false
	}
	return strings.Join(parts, " "), true
}

// mobile accepts the message when its digits form a 13-digit Brazilian
// mobile number.
func mobile(in input) (string, bool) {
	if !datagen.ValidBRMobile(in.raw) {
		return "", false
	}
	return datagen.Digits(in.raw), true
}

// email returns the first whitespace-separated token that is a valid
// address once surrounding punctuation is trimmed.
func email(in input) (string, bool) {
	for _, tok := range strings.Fields(in.raw) {
		tok = strings.Trim(tok, ".,;:!?()<>[]\"'")
		if datagen.ValidEmail(tok) {
			return tok, true
		}
	}
	return "", false
}

var cpfRe = regexp.MustCompile(`\d{3}\.?\d{3}\.?\d{3}[-.]?\d{2}`)

// cpf returns the first CPF in the message that has valid check digits,
// formatted 000.000.000-00. found reports whether anything CPF-shaped was
// there at all.
func cpf(in input) (formatted string, found bool) {
	cands := cpfRe.FindAllString(in.raw, 4)
	if d := datagen.Digits(in.raw); len(d) == 11 {
		cands = append(cands, d)
	}
	for _, c := range cands {
		if datagen.ValidCPF(c) {
			d := datagen.Digits(c)
			return d[0:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:11], true
		}
	}
	return "", len(cands) > 0
}

// number reads a count written as digits (1–99) or as a Portuguese word.
func number(w string) (int, bool) {
	if n, err := strconv.Atoi(w); err == nil {
		return n, n > 0 && n < 100
	}
	n, ok := numberWords[w]
	return n, ok
}

var numberWords = map[string]int{
	"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
	"seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10,
}
