package transcript

// Message is one item of an assistant reply, normalised from whatever shape
// the protocol received it in (a widget payload, a chat completion, a
// callback read by the plan's expressions). An image stays an image: Type
// "media" with Link set and Text empty, never text holding a URL.
type Message struct {
	Role string `json:"role" expr:"role"`           // "assistant" when the payload omitted it
	Type string `json:"type" expr:"type"`           // "text" | "media"
	Text string `json:"text,omitempty" expr:"text"` // text items
	Link string `json:"link,omitempty" expr:"link"` // media items: the media's URL
}

// Item types after normalisation.
const (
	TypeText  = "text"
	TypeMedia = "media"
)

// RoleAssistant is the role of an item whose payload omitted it.
const RoleAssistant = "assistant"
