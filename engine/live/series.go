package live

// seriesDesc is one exported series: its name below the namespace, its
// help and its variable labels (each of bounded values).
type seriesDesc struct {
	name, help string
	labels     []string
}

// series lists every series a Collector exports; docs/grafana's test reads
// the names through SeriesNames.
var series = []seriesDesc{
	{"conversations_started_total", "Conversations started.", []string{"persona"}},
	{"conversations_completed_total", "Conversations that completed (complete_when held).", []string{"persona"}},
	{"conversations_failed_total", "Conversations that failed, by reason.", []string{"persona", "reason"}},
	{"conversations_abandoned_total", "Conversations the customer abandoned.", []string{"persona"}},
	{"conversations_interrupted_total", "Conversations the run cut short (not judged).", []string{"persona"}},
	{"conversations_dropped_total", "Arrivals of open stages not started: max_users were in flight.", []string{"persona"}},
	{"conversations_late_starts_total", "Conversations that started behind their schedule.", []string{"persona"}},
	{"turns_total", "Customer messages sent, in ended conversations.", []string{"persona"}},
	{"conversations_in_flight", "Conversations started and not yet ended.", []string{"persona", "stage"}},
	{"users", "Active virtual users.", []string{"stage"}},

	{"operations_total", "Timed operations (send, reply, llm, first_token), failed ones included.", []string{"operation"}},
	{"operations_failed_total", "Timed operations that failed.", []string{"operation"}},
	{"operations_timed_out_total", "Failed operations that ran out of time (timed at the time waited).", []string{"operation"}},
	{"send_attempts_total", "Requests the customer messages took, retries included.", nil},
	{"stream_replies_total", "Streamed replies (openai stream = true, sse).", nil},
	{"stream_incomplete_total", "Streamed replies that ended before their end marker.", nil},

	{"send_duration_seconds", "The POST of a customer message.", nil},
	{"reply_duration_seconds", "From the start of the POST to the reply's first callback.", nil},
	{"llm_duration_seconds", "One persona generation, retries included.", nil},
	{"conversation_duration_seconds", "A whole conversation (completed, failed or abandoned).", nil},
	{"first_token_duration_seconds", "Streamed replies: request start to the first content chunk.", nil},
	{"stall_duration_seconds", "Streamed replies: the longest gap between two content chunks.", nil},

	{"llm_cost_usd_total", "What the simulated customers' model calls cost, in USD.", nil},
	{"llm_tokens_total", "Tokens of the simulated customers' model calls, by kind.", []string{"kind"}},
	{"assistant_tokens_total", "Tokens the assistant under test reported of itself, by kind.", []string{"kind"}},

	{"assistant_cost_usd_total", "The assistant's own reported tokens at the plan's assistant prices, in USD.", nil},
	{"conversations_crosstalk_total", "Replies that carried another customer's data (cross-talk).", []string{"persona"}},

	{"bursts_total", "Customer thoughts typed as more than one message (conversation.burst).", nil},
	{"burst_fragments_total", "The messages bursts were typed as (follow-ups apart).", nil},
	{"burst_replies_total", "Burst messages the bot answered before the next came.", nil},
	{"double_answers_total", "Thoughts the bot answered more than once.", nil},
	{"double_texts_total", "Follow-ups sent while a reply settled (double_text_rate).", nil},

	{"channel_faults_total", "Faults on the customer's side of the channel and what the bot did with them, by kind: redelivered, duplicate_replies, delayed, out_of_order.", []string{"kind"}},
	{"whatsapp_events_total", "A whatsapp target's deliveries, Graph API calls and refusals, by kind.", []string{"kind"}},

	{"replay_conversations_total", "Replayed conversations that ended.", nil},
	{"replay_diverged_total", "Replayed conversations whose assistant reply diverged from the recording.", nil},
	{"replay_matched_turns_total", "Replies judged like the recorded ones.", nil},

	{"webhook_received_total", "Callbacks that reached the webhook receiver with the run's token.", nil},
	{"webhook_discarded_total", "Received callbacks not taken as a reply, by reason.", []string{"reason"}},
	{"webhook_refused_total", "What the webhook receiver turned away, by reason.", []string{"reason"}},
}

// SeriesNames lists the names of the exported series (the metric family
// names, as /metrics shows them: a histogram's _bucket, _sum and _count
// series are under its name).
func SeriesNames() []string {
	out := make([]string, len(series))
	for i, s := range series {
		out[i] = namespace + "_" + s.name
	}
	return out
}
