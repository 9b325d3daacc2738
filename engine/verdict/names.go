package verdict

import "strings"

// Timer is how the tables name one timed operation: Type and Name as the
// requests table and stats.csv show them (the old tool's Locust columns),
// Metric as thresholds and summary.json know it.
type Timer struct{ Metric, Type, Name string }

// Timers names the send, reply, llm and conversation rows for a run whose
// target spoke protocol ("" or "voyager" is the widget API) and whose
// simulated customers ran on llmName ("" is Gemini). Only a voyager run's
// rows carry the old tool's "Voyager Message" and "Voyager Webhook": a
// table that called a WhatsApp delivery or a WebSocket frame by those
// names would describe a request that never happened.
func Timers(protocol, llmName string) []Timer {
	if llmName == "" {
		llmName = "Gemini"
	}
	send, reply := wire(protocol)
	return []Timer{
		{"send", send.Type, send.Name},
		{"reply", reply.Type, reply.Name},
		{"llm", strings.ToUpper(llmName), title(llmName) + " Response"},
		{"conversation", "CONVERSATION", "Complete Conversation"},
	}
}

// StreamTimers are the timed operations of streamed replies.
func StreamTimers() []Timer {
	return []Timer{{"first_token", "STREAM", "First Token"}, {"stall", "STREAM", "Longest Stall"}}
}

// wire names how a message goes out and how its reply comes back.
func wire(protocol string) (send, reply Timer) {
	switch protocol {
	case "http", "openai":
		return Timer{Type: "POST", Name: "Message"}, Timer{Type: "RESPONSE", Name: "Reply"}
	case "webhook":
		return Timer{Type: "POST", Name: "Message"}, Timer{Type: "WEBHOOK", Name: "Reply Callback"}
	case "sse":
		return Timer{Type: "POST", Name: "Message"}, Timer{Type: "SSE", Name: "Streamed Reply"}
	case "websocket":
		return Timer{Type: "WS", Name: "Message Frame"}, Timer{Type: "WS", Name: "Reply Frames"}
	case "whatsapp":
		return Timer{Type: "WEBHOOK", Name: "WhatsApp Delivery"}, Timer{Type: "GRAPH", Name: "Graph API Reply"}
	}
	return Timer{Type: "POST", Name: "Voyager Message"}, Timer{Type: "WEBHOOK", Name: "Voyager Webhook"}
}
