package persona

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// knownSets is knownData as it was, two sets: the digits of every value
// with 10 or more, and those of a phone with the country code (55, 12
// digits or more) without it; every address holding an "@", trimmed and
// lowercased.
func knownSets(data map[string]map[string]string) (numbers, emails map[string]bool) {
	numbers, emails = map[string]bool{}, map[string]bool{}
	for _, attrs := range data {
		for _, v := range attrs {
			if strings.Contains(v, "@") {
				emails[strings.ToLower(strings.TrimSpace(v))] = true
			}
			if d := string(appendDigits(nil, v)); len(d) >= 10 {
				numbers[d] = true
				if rest, ok := strings.CutPrefix(d, "55"); ok && len(d) >= 12 {
					numbers[rest] = true
				}
			}
		}
	}
	return numbers, emails
}

// The packed lists know what the sets knew: over random data (phones with
// and without the country code, CPFs, addresses in any case, with spaces,
// with the Kelvin sign that lowercases to "k", several of each, values that
// are both) every number and address mismatch can look up — the sets'
// own, their pieces and neighbours — is known to both or to neither. (mismatch
// looks up digits only, and addresses without a space: nextEmail's.)
func TestKnownDataKnowsWhatTheSetsKnew(t *testing.T) {
	t.Parallel()
	values := []string{"+55 11 98765-4321", "5585991234567", "(11) 98765-4321", "11987654321", "529.982.247-25", "52998224725", "123456789",
		"1234567890", "55123456789", "551234567890", "5555555555555", "55 55", "maria@example.com", "Maria@Example.COM", "  joao@x.com.br\n",
		"\u212Aatia@x.com", "ana silva@x.com", "a@b", "@", "55119876543@x.com", "Kataryna Souza Lima", "", "x", "0000000000", "00000000000000000000000000000000"}
	r := rand.New(rand.NewPCG(6, 26))
	for range 3000 {
		data := map[string]map[string]string{}
		for range r.IntN(3) {
			attrs := map[string]string{}
			for j := range r.IntN(6) {
				v := values[r.IntN(len(values))]
				if r.IntN(4) == 0 {
					v += values[r.IntN(len(values))]
				}
				attrs[string(rune('a'+j))] = v
			}
			data[string(rune('a'+len(data)))] = attrs
		}
		k := knownData(data)
		numbers, emails := knownSets(data)
		var lookups []string
		for _, v := range values {
			lookups = append(lookups, string(appendDigits(nil, v)), strings.ToLower(strings.TrimSpace(v)))
		}
		for n := range numbers {
			lookups = append(lookups, n, "55"+n, n[1:], n[:len(n)-1], n+"0")
		}
		for e := range emails {
			lookups = append(lookups, e, e[1:], e+"x", "x"+e)
		}
		for _, x := range lookups {
			if got, want := k.hasNumber([]byte(x)), numbers[x]; got != want && string(appendDigits(nil, x)) == x {
				t.Fatalf("data %q: hasNumber(%q) = %v, the set says %v", data, x, got, want)
			}
			if got, want := k.hasEmail([]byte(x)), emails[x]; got != want && !strings.Contains(x, " ") {
				t.Fatalf("data %q: hasEmail(%q) = %v, the set says %v", data, x, got, want)
			}
		}
	}
}

// A phone given with the country code is the user's written with it or
// without; its CPF with or without the dots; its address in any case.
func TestDataMismatchKnowsTheUsersOwnWritings(t *testing.T) {
	t.Parallel()
	k := knownData(map[string]map[string]string{"customer": {"name": "Maria Souza", "phone": "+55 11 98765-4321", "cpf": "529.982.247-25",
		"email": "maria@example.com"}, "other": {"email": "Maria.Souza@Work.com.br"}})
	for _, msg := range []string{"+55 11 98765-4321", "5511987654321", "(11) 98765-4321", "11 98765 4321", "11987654321", "529.982.247-25",
		"52998224725", "MARIA@example.com", "maria.souza@work.com.br", "Meu celular é (11) 98765-4321 e o e-mail maria@example.com."} {
		if got := k.mismatch(msg); got != nil {
			t.Errorf("mismatch(%q) = %q, want none", msg, got)
		}
	}
	for msg, want := range map[string][]string{"+55 11 98765-4320": {"phone"}, "+44 11 98765-4321": {"phone"}, "(21) 98765-4321": {"phone"},
		"529.982.247-26": {"cpf"}, "111.444.777-35": {"cpf"}, "maria@example.com.br": {"email"}, "souza@work.com.br": {"email"}} {
		if got := k.mismatch(msg); !slices.Equal(got, want) {
			t.Errorf("mismatch(%q) = %q, want %q", msg, got, want)
		}
	}
}
