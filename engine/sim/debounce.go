package sim

import (
	"strings"
	"time"
)

// held is a conversation's messages waiting for the customer to finish
// typing (Options.Debounce): their texts in order, the latest's way to be
// answered (its webhook, its WhatsApp message), and the timer that answers
// them once no message came for Debounce.
type held struct {
	texts  []string
	answer func(text string, now time.Time) // called with the shard's mu held
	timer  *time.Timer
}

// hold keeps a message back to be answered with the next ones, as a bot
// that debounces does; false when it must be answered now (no Debounce, or
// the AnswersEachFragment bug). Each message held restarts the wait. The
// caller holds sh.mu.
func (s *Server) hold(sh *shard, c *conversation, text string, answer func(string, time.Time)) bool {
	if s.opts.Debounce <= 0 || s.opts.AnswersEachFragment {
		return false
	}
	c.held.texts = append(c.held.texts, text)
	c.held.answer = answer
	if c.held.timer != nil {
		if c.held.timer.Stop() {
			c.held.timer.Reset(s.opts.Debounce)
		} // else release is waiting for sh.mu, and takes this message too
		return true
	}
	if !s.track.add() {
		c.held = held{} // closing: nothing more goes out
		return true
	}
	c.held.timer = time.AfterFunc(s.opts.Debounce, func() { s.release(sh, c) })
	return true
}

// release answers a conversation's held messages as one, joined as they
// were typed.
func (s *Server) release(sh *shard, c *conversation) {
	defer s.track.done()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	h := c.held
	c.held = held{}
	if s.ctx.Err() != nil || len(h.texts) == 0 {
		return
	}
	h.answer(strings.Join(h.texts, " "), time.Now())
}

// dropHeld stops a conversation's debounce timer and forgets what it
// held (Close). The caller holds sh.mu.
func (s *Server) dropHeld(c *conversation) {
	if c.held.timer != nil && c.held.timer.Stop() {
		s.track.done()
	}
	c.held = held{}
}
