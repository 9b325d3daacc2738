package main

import (
	"fmt"

	"github.com/voyplan/voyplan/engine/plan"
)

// announceURL prints, once the receiver (and the tunnel) are up, where the
// assistant is told to deliver replies. The per-run secret path after
// /hooks/ is not printed.
func (a *app) announceURL(publicURL string) {
	fmt.Fprintf(a.stderr, "voyplan: replies are delivered to %s/hooks/…\n", publicURL)
}

// announcer is what announces p's public URL: for a whatsapp target, the
// Graph API base URL the bot must call instead of graph.facebook.com.
func (a *app) announcer(p *plan.Plan) func(string) {
	wa := p.Target.WhatsApp
	if wa == nil {
		return a.announceURL
	}
	return func(publicURL string) {
		fmt.Fprintf(a.stderr, "voyplan: the bot's Graph API base URL is %s (it sends POST %s/v21.0/%s/messages)\n",
			publicURL, publicURL, wa.PhoneNumberID)
	}
}
