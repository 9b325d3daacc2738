package main

import "fmt"

// announceURL prints, once the receiver (and the tunnel) are up, where the
// assistant is told to deliver replies. The per-run secret path after
// /hooks/ is not printed.
func (a *app) announceURL(publicURL string) {
	fmt.Fprintf(a.stderr, "voyplan: replies are delivered to %s/hooks/…\n", publicURL)
}
