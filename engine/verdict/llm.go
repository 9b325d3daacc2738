package verdict

import (
	"strconv"

	"github.com/voyplan/voyplan/engine/metrics"
)

// usedLLM reports whether the run made or waited for any generation: the
// requests table then carries the tokens and cost columns and the limiter
// row.
func usedLLM(s metrics.Snapshot) bool {
	return s.LLM.Count > 0 || s.Cost != (metrics.Cost{})
}

// withLLMCost fills the Tokens and Cost columns — on the LLM row (the
// third), "-" on the others — and inserts after the LLM row the time
// generations waited for the client-side rate limits.
func withLLMCost(rows [][]string, s metrics.Snapshot) [][]string {
	c := s.Cost
	out := make([][]string, 0, len(rows)+1)
	for i, row := range rows {
		if i == 2 {
			out = append(out, append(row, tokens(c), usd(c.USD)))
			out = append(out, append(latencyRow("WAIT", "Rate Limit Wait", s.LLMWait), "-", "-"))
			continue
		}
		out = append(out, append(row, "-", "-"))
	}
	return out
}

func tokens(c metrics.Cost) string {
	return strconv.FormatInt(c.InputTokens, 10) + "/" + strconv.FormatInt(c.OutputTokens, 10) + "/" +
		strconv.FormatInt(c.ThinkingTokens, 10)
}

// usd renders dollars with enough decimals for a fraction of a cent.
func usd(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// personaCosts reports whether any persona's conversations cost anything.
func personaCosts(ps map[string]metrics.Conversations) bool {
	for _, c := range ps {
		if c.Cost != (metrics.Cost{}) {
			return true
		}
	}
	return false
}

// characterCells are the per-persona simulator_drift and data_mismatch
// counts: customer messages that acted as the assistant, and that
// disclosed someone else's data.
func characterCells(c metrics.Conversations) []string {
	return []string{strconv.FormatInt(c.SimulatorDrift, 10), strconv.FormatInt(c.DataMismatch, 10)}
}
