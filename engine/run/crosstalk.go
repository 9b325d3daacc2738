package run

import (
	"context"

	"github.com/voyplan/voyplan/engine/transcript"
)

// indexUser adds a virtual user's generated data to the values every
// reply is checked against, when its first conversation starts (again for
// its next ones is a no-op).
func (r *Runner) indexUser(n int, data map[string]map[string]string) {
	r.xtalk.AddUser(n, data)
}

// crosstalk checks a reply for other customers' data and links, then
// records the links it carried as this user's. The log names whose data
// leaked by user number and field, never the data.
func (c *conversation) crosstalk(ctx context.Context, n int, msgs []transcript.Message) []transcript.Leak {
	leaks := c.r.xtalk.Check(c.xtalkUser(), msgs)
	c.r.xtalk.AddLinks(c.xtalkUser(), msgs)
	if len(leaks) > 0 {
		users, fields := make([]int, len(leaks)), make([]string, len(leaks))
		for i, l := range leaks {
			users[i], fields[i] = l.User, l.Field
		}
		c.r.log.WarnContext(ctx, "cross-talk: a reply carried another customer's data", "conversation", c.rec.ID,
			"user", c.v.n, "turn", n, "leaked_from_users", users, "fields", fields)
	}
	return leaks
}
