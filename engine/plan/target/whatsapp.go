package target

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// ProtocolWhatsApp: voyplan plays Meta's side of the WhatsApp Business
// Cloud API — signed deliveries to the bot's webhook, and a Graph API
// stand-in the bot answers through.
const ProtocolWhatsApp = "whatsapp"

// WhatsApp is a whatsapp target.
type WhatsApp struct {
	// BotURL is where Meta would deliver events: the bot's webhook. "" when
	// the plan starts the simulator, whose bot mode the engine targets.
	BotURL string
	// AppSecret signs every delivery (X-Hub-Signature-256). Secret.
	AppSecret string
	// VerifyToken, when set, is sent in the GET hub.challenge handshake
	// before the run. Secret.
	VerifyToken string
	// AccessToken is the bearer token the bot must present to the Graph
	// API stand-in. Secret.
	AccessToken       string
	PhoneNumberID     string // the Graph API path's, and every delivery's metadata
	DisplayPhone      string // metadata.display_phone_number
	BusinessAccountID string // entry[].id
	// GraphListen is where the Graph API stand-in listens (host:port); the
	// plan's webhook block's tunnel and public_url expose it.
	GraphListen string
	// Timeout bounds each delivery: Meta gives a bot about 20 s to answer.
	Timeout time.Duration
	// Faults are the channel's own faults (the channel_faults block).
	Faults ChannelFaults
	// Statuses, when set, makes voyplan send the statuses webhooks Meta
	// sends for each message the bot sends (sent, delivered, read), each
	// StatusDelay (drawn between the two) after the one before.
	Statuses                       bool
	StatusDelayMin, StatusDelayMax time.Duration

	waID, profileName hcl.Expression // nil: the defaults (Customer)
	ctx               *hcl.EvalContext
}

// Defaults of a whatsapp target.
const (
	DefaultGraphListen     = "127.0.0.1:5002"
	DefaultWhatsAppTimeout = 20 * time.Second
)

// Customer evaluates the conversation's customer: its wa_id and profile
// name. Without a wa_id expression the wa_id is a 13-digit Brazilian
// mobile drawn from the conversation id, so conversations never share one.
func (w *WhatsApp) Customer(v RequestVars) (waID, name string, err error) {
	ctx := w.ctx.NewChild()
	ctx.Variables = turnVariables(v, dataObject(v.Data), false)
	waID, name = defaultWaID(v.ConversationID), fmt.Sprintf("Customer %d", v.User)
	if w.waID != nil {
		if waID, err = evalWith(w.waID, ctx, "wa_id", renderString); err != nil {
			return "", "", err
		}
		if !waIDPattern.MatchString(waID) {
			return "", "", fmt.Errorf("wa_id %q is not a WhatsApp id: digits only, the country code first (e.g. 5585991234567)", waID)
		}
	}
	if w.profileName != nil {
		if name, err = evalWith(w.profileName, ctx, "profile_name", renderString); err != nil {
			return "", "", err
		}
	}
	return waID, name, nil
}

var waIDPattern = regexp.MustCompile(`^[0-9]{6,20}$`)

// defaultWaID is 55 11 9 and eight digits of the conversation id's hash.
func defaultWaID(convID string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(convID); i++ {
		h = (h ^ uint32(convID[i])) * 16777619
	}
	return fmt.Sprintf("55119%08d", h%100000000)
}

func renderString(v cty.Value) (string, error) {
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return "", fmt.Errorf("it must be a string")
	}
	return s.AsString(), nil
}

var whatsappTargetSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "protocol"}, {Name: "bot_url"}, {Name: "app_secret", Required: true}, {Name: "verify_token"},
		{Name: "phone_number_id", Required: true}, {Name: "display_phone_number"}, {Name: "business_account_id"},
		{Name: "access_token", Required: true}, {Name: "graph_listen"}, {Name: "wa_id"}, {Name: "profile_name"},
		{Name: "timeout"}, {Name: "retries"}, {Name: "statuses"}, {Name: "status_delay"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "channel_faults"}},
}

// whatsappRoots are the names wa_id and profile_name may use besides var
// and data.
var whatsappRoots = []string{"conversation"}

// decodeWhatsAppTarget decodes a whatsapp target.
func (d *decoder) decodeWhatsAppTarget(b *hcl.Block) Decoded {
	c, diags := b.Body.Content(whatsappTargetSchema)
	d.add(diags)
	perConv := hcl.Attributes{}
	for _, name := range []string{"wa_id", "profile_name"} {
		if attr, ok := c.Attributes[name]; ok {
			perConv[name] = attr
			delete(c.Attributes, name)
		}
	}
	a := decode.New(c.Attributes, d.Scope.Scope, &d.diags)
	w := &WhatsApp{GraphListen: DefaultGraphListen, Timeout: DefaultWhatsAppTimeout, ctx: d.Root}
	out := Decoded{WhatsApp: w}
	if a.Str("bot_url", &w.BotURL) {
		a.HTTPURL("bot_url", w.BotURL)
	}
	a.Str("app_secret", &w.AppSecret)
	a.Invalid("app_secret", w.AppSecret != "", "Empty app_secret", "app_secret signs every delivery as Meta does: set it to the bot's app secret, e.g. env(\"WHATSAPP_APP_SECRET\").")
	a.Str("verify_token", &w.VerifyToken)
	a.Str("access_token", &w.AccessToken)
	a.Invalid("access_token", w.AccessToken != "", "Empty access_token", "access_token is the bearer token the bot must present to the Graph API stand-in, e.g. env(\"WHATSAPP_TOKEN\").")
	a.Str("phone_number_id", &w.PhoneNumberID)
	a.Invalid("phone_number_id", waIDPattern.MatchString(w.PhoneNumberID), "Invalid phone_number_id",
		fmt.Sprintf("phone_number_id is the business number's id in the Graph API path, digits only (e.g. \"106540352242922\"); got %q.", w.PhoneNumberID))
	w.DisplayPhone, w.BusinessAccountID = "15550783881", "102290129340398"
	a.Str("display_phone_number", &w.DisplayPhone)
	a.Str("business_account_id", &w.BusinessAccountID)
	if a.Str("graph_listen", &w.GraphListen) {
		a.Listen("graph_listen", w.GraphListen)
	}
	a.Duration("timeout", &w.Timeout)
	a.Require("timeout", w.Timeout > 0, `a positive duration, e.g. "20s" (Meta's)`)
	Retries(a, &out.Retries)
	out.Timeout = w.Timeout
	a.Bool("statuses", &w.Statuses)
	w.StatusDelayMin, w.StatusDelayMax, _ = a.DurationRange("status_delay", "1s")
	w.Faults = d.decodeChannelFaults(d.nestedBlock(b, c.Blocks.ByType(), "channel_faults", false))
	for name, attr := range perConv {
		if diags := d.checkTurnExpr(attr.Expr, whatsappRoots); diags.HasErrors() {
			d.add(diags)
			continue
		}
		if name == "wa_id" {
			w.waID = attr.Expr
		} else {
			w.profileName = attr.Expr
		}
	}
	return out
}
