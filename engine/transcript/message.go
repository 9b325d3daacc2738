package transcript

// Message is one item of an assistant reply, normalised from whatever shape
// the protocol received it in (a widget payload, a chat completion, a
// callback read by the plan's expressions). An image stays an image: Type
// "media" with Link set and Text empty, never text holding a URL.
type Message struct {
	Role string `json:"role" expr:"role"`           // "assistant" when the payload omitted it
	Type string `json:"type" expr:"type"`           // "text" | "media" | "button" | "template"
	Text string `json:"text,omitempty" expr:"text"` // text items; a button's title; a template's name
	Link string `json:"link,omitempty" expr:"link"` // media items: the media's URL; a button's URL
	// ReplyTo is the id of the customer message the item answers, when the
	// assistant names one (WhatsApp's context.message_id).
	ReplyTo string `json:"reply_to,omitempty" expr:"reply_to"`
}

// Item types after normalisation.
const (
	TypeText  = "text"
	TypeMedia = "media"
	// TypeButton is a button or list row of an interactive message
	// (WhatsApp): Text its title, Link its URL for a call-to-action.
	TypeButton = "button"
	// TypeTemplate is a template message (WhatsApp): Text its name.
	TypeTemplate = "template"
)

// RoleAssistant is the role of an item whose payload omitted it.
const RoleAssistant = "assistant"
