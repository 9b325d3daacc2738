package sim

import (
	"fmt"
	"strings"
	"sync"
)

// Cross-talk lines: an assistant that mixed two sessions.
const (
	txtLeakName = "Pedido registrado em nome de %s."
	txtLeakLink = "Seu link de pagamento: %s"
)

// leakPool is what cross-talk (Options.CrosstalkRate) draws from: the
// full names other conversations gave, and the payment links other
// conversations were sent and have answered since — so whoever reads the
// replies has seen the link in its own conversation before it leaks.
type leakPool struct {
	mu    sync.Mutex
	names []leaked // guarded by mu, like links
	links []leaked
}

// leaked is one value and the conversation it belongs to.
type leaked struct {
	owner *conversation
	value string
}

// leakState is one conversation's part in the pool.
type leakState struct {
	named bool   // its full name is in the pool
	link  string // its payment link, sent and not yet in the pool
}

// reply runs one customer message through d and, at CrosstalkRate, adds
// another conversation's name or payment link to the reply — only once the
// customer gave their own full name, and never a name equal to it, so
// every leak is another customer's data. The widget endpoint only: the
// chat completions endpoint replays a conversation's whole history on
// every request, so a leak drawn there would not stay where it was put.
func (s *Server) reply(owner *conversation, d *dialogue, ls *leakState, text string, e env) turn {
	if ls.link != "" { // the customer answered the link: it was read
		s.leaks.add(&s.leaks.links, owner, ls.link)
		ls.link = ""
	}
	link := e.link
	e.link = func() string { ls.link = link(); return ls.link }
	out := d.step(text, e)
	own := d.order.fullName
	if own == "" {
		return out
	}
	if !ls.named {
		s.leaks.add(&s.leaks.names, owner, own)
		ls.named = true
	}
	if s.rng.hit(s.opts.CrosstalkRate) {
		if line, ok := s.leaks.draw(owner, own, s.rng); ok {
			out.texts = append(out.texts, line)
			s.stats.crosstalk.Add(1)
		}
	}
	return out
}

func (p *leakPool) add(to *[]leaked, owner *conversation, v string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*to = append(*to, leaked{owner, v})
}

// draw picks another conversation's link or name (not one equal to own),
// as a line of the reply; false when the pool has none yet.
func (p *leakPool) draw(owner *conversation, own string, rng *lockedRand) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pick := func(from []leaked) (string, bool) {
		for range 8 { // the pool is mostly others': a few tries find one
			if len(from) == 0 {
				return "", false
			}
			l := from[rng.intN(len(from))]
			if l.owner != owner && !strings.EqualFold(l.value, own) {
				return l.value, true
			}
		}
		return "", false
	}
	if rng.intN(2) == 0 {
		if v, ok := pick(p.links); ok {
			return fmt.Sprintf(txtLeakLink, v), true
		}
	}
	if v, ok := pick(p.names); ok {
		return fmt.Sprintf(txtLeakName, v), true
	}
	return "", false
}
