package target

// Message is one item of an assistant reply, normalised from any payload
// shape the widget API is known to send (VOYAGER.md §1). An image stays an
// image: Type "media" with Link set and Text empty, never text holding a URL.
type Message struct {
	Role string `json:"role" expr:"role"`           // "assistant" when the payload omitted it
	Type string `json:"type" expr:"type"`           // "text" | "media"
	Text string `json:"text,omitempty" expr:"text"` // text items
	Link string `json:"link,omitempty" expr:"link"` // media items: the media's URL
}
