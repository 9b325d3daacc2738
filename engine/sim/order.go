package sim

import (
	"fmt"
	"strings"
)

// ticket is one kind of ticket the park sells.
type ticket int

const (
	adult ticket = iota
	child
	pass2
	insano
	special // senior, disabled or pregnant
	arvorar // the tree-top trail
	ticketKinds
)

// catalog holds each ticket's label and price in whole reais.
var catalog = [ticketKinds]struct {
	label string
	price int
	note  string // shown in the ticket list only
}{
	adult:   {"Adulto 1 dia", 320, ""},
	child:   {"Criança 1 dia", 310, ""},
	pass2:   {"Passaporte 2 dias", 399, ""},
	insano:  {"Passaporte Insano", 469, ""},
	special: {"Idoso/PcD/Gestante", 160, ""},
	arvorar: {"Arvorar", 189, " (trilha nas árvores)"},
}

const cabanaPrice = 250

// order is what the customer is buying, filled in state by state.
type order struct {
	arvorar  bool // asked for the Arvorar trail: plain counts become Arvorar tickets
	date     civilDate
	counts   [ticketKinds]int
	cabana   bool
	fullName string
	phone    string
	email    string
	cpf      string
}

func (o *order) total() int {
	sum := 0
	for t, n := range o.counts {
		sum += n * catalog[t].price
	}
	if o.cabana {
		sum += cabanaPrice
	}
	return sum
}

// lines lists the tickets, one "2x Adulto 1 dia (R$ 640,00)" per kind.
func (o *order) lines() []string {
	var out []string
	for t, n := range o.counts {
		if n > 0 {
			out = append(out, fmt.Sprintf("%dx %s (%s)", n, catalog[t].label, brl(n*catalog[t].price)))
		}
	}
	return out
}

// brl formats whole reais the Brazilian way: R$ 1.260,00.
func brl(reais int) string {
	s := fmt.Sprint(reais)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return "R$ " + b.String() + ",00"
}

// ticketFillers may sit between a count and its ticket word ("4 ingressos
// Arvorar", "2 de adulto"); countNouns name tickets without a kind.
var (
	ticketFillers = set("ingresso", "ingressos", "bilhete", "bilhetes", "entrada", "entradas",
		"de", "do", "da", "para", "pra", "tipo", "x")
	countNouns = set("ingresso", "ingressos", "bilhete", "bilhetes", "entrada", "entradas",
		"pessoa", "pessoas")
)

// counts reads "2 adultos e 2 crianças", "1 adulto, 1 gestante e 2
// idosos", "4 ingressos Arvorar". generic counts tickets named without a
// kind ("4 ingressos").
func counts(ws []string) (c [ticketKinds]int, generic int) {
	for i := 0; i < len(ws); i++ {
		n, ok := number(ws[i])
		if !ok {
			continue
		}
		kind, at, noun := countedKind(ws, i+1)
		switch {
		case kind >= 0:
			c[kind] += n
			i = at
		case noun:
			generic += n
		}
	}
	return c, generic
}

// countedKind looks at up to three words after a count for the ticket kind
// it counts, skipping fillers; noun reports a kindless ticket noun.
func countedKind(ws []string, from int) (kind ticket, at int, noun bool) {
	for j := from; j < len(ws) && j < from+3; j++ {
		if k, ok := kindOf(ws, j); ok {
			return k, j, noun
		}
		noun = noun || countNouns[ws[j]]
		if !ticketFillers[ws[j]] && !countNouns[ws[j]] {
			break
		}
	}
	return -1, from, noun
}

// kindOf maps a ticket word to its kind; a passport is the Insano one when
// "insano" follows closely.
func kindOf(ws []string, j int) (ticket, bool) {
	w := ws[j]
	switch {
	case strings.HasPrefix(w, "adult"):
		return adult, true
	case strings.HasPrefix(w, "crianc"), strings.HasPrefix(w, "infant"):
		return child, true
	case strings.HasPrefix(w, "idos"), strings.HasPrefix(w, "gestant"), strings.HasPrefix(w, "gravid"),
		w == "pcd", strings.HasPrefix(w, "deficien"):
		return special, true
	case strings.HasPrefix(w, "arvorar"):
		return arvorar, true
	case strings.HasPrefix(w, "insan"):
		return insano, true
	case strings.HasPrefix(w, "passaport"):
		for k := j + 1; k < len(ws) && k <= j+3; k++ {
			if strings.HasPrefix(ws[k], "insan") {
				return insano, true
			}
		}
		return pass2, true
	}
	return 0, false
}

// applyCounts stores parsed counts in the order: kindless tickets are adult
// ones, and for an Arvorar order adult, child and special counts become
// Arvorar tickets. It reports whether any ticket was counted.
func (o *order) applyCounts(c [ticketKinds]int, generic int) bool {
	c[adult] += generic
	if o.arvorar {
		for _, k := range []ticket{adult, child, special} {
			c[arvorar] += c[k]
			c[k] = 0
		}
	}
	o.counts = c
	return o.total() > 0
}
