package datagen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
)

// ForUser returns the random source of one virtual user: a pure function of
// the run seed and the user's global number, so the same seed reproduces the
// same data and persona mix, and a segment of the users on another machine
// draws exactly what a single process would have drawn for them.
func ForUser(seed uint64, user int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(user)*0x9E3779B97F4A7C15+1))
}

// CPF returns a Brazilian individual taxpayer number with valid check digits,
// formatted as 000.000.000-00. Numbers whose nine base digits are all equal
// (valid by the arithmetic, rejected by the Receita) are never produced.
func CPF(r *rand.Rand) string {
	var d [11]int
	for {
		same := true
		for i := 0; i < 9; i++ {
			d[i] = r.IntN(10)
			if d[i] != d[0] {
				same = false
			}
		}
		if !same {
			break
		}
	}
	d[9] = cpfCheck(d[:9])
	d[10] = cpfCheck(d[:10])
	return fmt.Sprintf("%d%d%d.%d%d%d.%d%d%d-%d%d", d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10])
}

// cpfCheck computes one mod-11 check digit over the given digits, with
// weights counting down from len(digits)+1 to 2.
func cpfCheck(digits []int) int {
	sum := 0
	for i, v := range digits {
		sum += v * (len(digits) + 1 - i)
	}
	rest := sum % 11
	if rest < 2 {
		return 0
	}
	return 11 - rest
}

// ValidCPF reports whether s holds a CPF with valid check digits. Dots, dashes
// and spaces are ignored; all-equal digit strings are rejected.
func ValidCPF(s string) bool {
	digits := Digits(s)
	if len(digits) != 11 {
		return false
	}
	var d [11]int
	same := true
	for i, c := range digits {
		d[i] = int(c - '0')
		if d[i] != d[0] {
			same = false
		}
	}
	if same {
		return false
	}
	return cpfCheck(d[:9]) == d[9] && cpfCheck(d[:10]) == d[10]
}

// Digits returns only the decimal digits of s.
func Digits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// areaCodes are real Brazilian DDDs, so generated numbers look like the ones
// the assistant sees in production.
var areaCodes = []int{11, 12, 13, 19, 21, 27, 31, 41, 47, 48, 51, 61, 62, 71, 81, 85, 91, 92}

// BRMobile returns a 13-digit Brazilian mobile number: 55, a two-digit area
// code, then 9 and eight more digits (55DD9XXXXXXXX), the format the
// assistant asks for.
func BRMobile(r *rand.Rand) string {
	return fmt.Sprintf("55%d9%08d", areaCodes[r.IntN(len(areaCodes))], r.IntN(100_000_000))
}

// ValidBRMobile reports whether s, once stripped of everything but digits, is
// a 13-digit Brazilian mobile number (55 + area code + 9 digits starting with 9).
func ValidBRMobile(s string) bool {
	d := Digits(s)
	return len(d) == 13 && strings.HasPrefix(d, "55") && d[2] != '0' && d[4] == '9'
}

var (
	firstNames = []string{
		"Ana", "Bruno", "Camila", "Daniel", "Eduarda", "Felipe", "Gabriela", "Henrique",
		"Isabela", "João", "Larissa", "Lucas", "Mariana", "Mateus", "Natália", "Otávio",
		"Paula", "Rafael", "Sofia", "Thiago", "Vitória", "Yasmin", "Caio", "Beatriz",
	}
	lastNames = []string{
		"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
		"Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
		"Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Moreira",
	}
)

// Name returns a Brazilian full name: a first name and two surnames.
func Name(r *rand.Rand) string {
	first := firstNames[r.IntN(len(firstNames))]
	a := lastNames[r.IntN(len(lastNames))]
	b := lastNames[r.IntN(len(lastNames))]
	for b == a {
		b = lastNames[r.IntN(len(lastNames))]
	}
	return first + " " + a + " " + b
}

// Email returns a unique-looking address at domain, built from an ASCII
// folding of a random name plus four digits.
func Email(r *rand.Rand, domain string) string {
	first := fold(firstNames[r.IntN(len(firstNames))])
	last := fold(lastNames[r.IntN(len(lastNames))])
	domain = strings.TrimPrefix(strings.TrimSpace(domain), "@")
	if domain == "" {
		domain = "example.com"
	}
	return fmt.Sprintf("%s.%s%04d@%s", first, last, r.IntN(10000), domain)
}

// ValidEmail is the assistant's own rule: something, an @, a dotted domain.
func ValidEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t\n")
}

// UUID returns a random version-4 UUID drawn from r (so it is reproducible
// under a fixed seed).
func UUID(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// fold lower-cases s and drops accents, for e-mail local parts.
func fold(s string) string {
	repl := strings.NewReplacer("á", "a", "à", "a", "ã", "a", "â", "a", "é", "e", "ê", "e",
		"í", "i", "ó", "o", "ô", "o", "õ", "o", "ú", "u", "ç", "c")
	s = repl.Replace(strings.ToLower(s))
	return strings.Map(func(c rune) rune {
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			return c
		}
		return -1
	}, s)
}
