package whatsapp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// SignatureHeader carries a delivery's signature.
const SignatureHeader = "X-Hub-Signature-256"

// Business is the WhatsApp business number a run plays: what every
// delivery's metadata names.
type Business struct {
	AccountID     string // the WhatsApp Business Account id (entry[].id)
	PhoneNumberID string // metadata.phone_number_id, and the Graph API path's
	DisplayPhone  string // metadata.display_phone_number
}

// Inbound is one customer message as Meta delivers it.
type Inbound struct {
	WaID        string // the customer's WhatsApp id (also "from")
	ProfileName string // contacts[].profile.name
	ID          string // the message's id, "wamid.…"
	At          time.Time
	Text        string
}

// Status is one statuses webhook: what became of a message the bot sent.
type Status struct {
	ID          string // the bot's message id, as the Graph API answered it
	Status      string // "sent" | "delivered" | "read"
	RecipientID string // the customer's wa_id
	At          time.Time
}

// The envelope of every messages-field webhook.
type (
	envelope struct {
		Object string  `json:"object"`
		Entry  []entry `json:"entry"`
	}
	entry struct {
		ID      string   `json:"id"`
		Changes []change `json:"changes"`
	}
	change struct {
		Value value  `json:"value"`
		Field string `json:"field"`
	}
	value struct {
		MessagingProduct string          `json:"messaging_product"`
		Metadata         metadata        `json:"metadata"`
		Contacts         []contact       `json:"contacts,omitempty"`
		Messages         []inboundMsg    `json:"messages,omitempty"`
		Statuses         []inboundStatus `json:"statuses,omitempty"`
	}
	metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	}
	contact struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	}
	inboundMsg struct {
		From      string `json:"from"`
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Type      string `json:"type"`
		Text      struct {
			Body string `json:"body"`
		} `json:"text"`
	}
	inboundStatus struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Timestamp   string `json:"timestamp"`
		RecipientID string `json:"recipient_id"`
	}
)

// EncodeMessage is the messages webhook that delivers m to the bot of b.
func EncodeMessage(b Business, m Inbound) []byte {
	var c contact
	c.Profile.Name, c.WaID = m.ProfileName, m.WaID
	msg := inboundMsg{From: m.WaID, ID: m.ID, Timestamp: unix(m.At), Type: "text"}
	msg.Text.Body = m.Text
	return encode(b, value{Contacts: []contact{c}, Messages: []inboundMsg{msg}})
}

// EncodeStatus is the statuses webhook that tells the bot of b what
// became of one of its messages.
func EncodeStatus(b Business, s Status) []byte {
	st := inboundStatus{ID: s.ID, Status: s.Status, Timestamp: unix(s.At), RecipientID: s.RecipientID}
	return encode(b, value{Statuses: []inboundStatus{st}})
}

func encode(b Business, v value) []byte {
	v.MessagingProduct = "whatsapp"
	v.Metadata = metadata{DisplayPhoneNumber: b.DisplayPhone, PhoneNumberID: b.PhoneNumberID}
	env := envelope{
		Object: "whatsapp_business_account",
		Entry:  []entry{{ID: b.AccountID, Changes: []change{{Value: v, Field: "messages"}}}},
	}
	out, err := json.Marshal(env)
	if err != nil {
		panic("whatsapp: cannot encode a webhook: " + err.Error()) // plain strings only
	}
	return out
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Sign is body's signature under secret, as SignatureHeader carries it:
// "sha256=" and the hex HMAC-SHA256 of the raw body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// NewMessageID is a fresh message id in Meta's form: "wamid." and an
// opaque base64 string, 144 random bits.
func NewMessageID() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // never fails
	return "wamid." + base64.StdEncoding.EncodeToString(b[:])
}
