// Package sim is the built-in simulator: a Voyager-compatible assistant
// (VOYAGER.md §1, §3) in Brazilian Portuguese, served in process, so the
// engine's tests, the offline demo plan and the benchmarks run on loopback
// with no key and no network.
//
// It owns the widget endpoint (POST /v1/webhooks/widget), the streaming
// endpoints (below), one dialogue state
// machine per clientIdentifier, the asynchronous delivery of replies to each
// message's webhook, and the misbehaviour a load test must survive: latency
// and jitter, failed sends, dropped, late, duplicated, split and malformed
// replies, slow POSTs, and cross-talk (another conversation's name or
// payment link in a reply: crosstalk.go), and how it takes a customer who
// types a thought in several messages: Debounce waits for the next one and
// answers them joined, once; AnswersEachFragment is the bug of answering
// each at once (debounce.go). It never imports the engine's run or webhook
// packages — it is the system under test, not part of the tester — and
// uses only the standard library, github.com/coder/websocket (the
// WebSocket endpoint) and engine/datagen (the same validity rules the
// generated customer data follows).
//
// # Wire
//
// A message is POST Path with JSON {"type":"text","text","channelId",
// "clientIdentifier","webhook"}. Bad JSON, a missing text, clientIdentifier
// or webhook, or a webhook that is not an absolute http(s) URL get 400
// {"error":"..."}; otherwise 202 {"status":"accepted"} at once (after
// SlowPost), and the reply goes later, through time.AfterFunc, as POST
// <webhook> {"messages":[{"role":"assistant","type":"text","text":"..."},
// {"role":"assistant","type":"media","media":{"type":"image","link":"..."}}]}
// with the header SentAtHeader. Replies of one conversation go out in the
// order their messages arrived, so a late reply also holds back the ones
// after it; an idle conversation costs a map entry and no goroutine.
// Conversations are kept until Close.
//
// # Streaming
//
// The same dialogue is served streamed: POST CompletionsPath is an
// OpenAI-compatible chat completions endpoint (stateless: the request's user
// messages are replayed through a fresh dialogue), answered in one piece or,
// with "stream": true, as chat completion chunks — a role-only chunk at
// once, the text in ChunkSize pieces, images as image_url parts, the usage
// when stream_options.include_usage asks for it, then data: [DONE]. POST
// SSEPath {"conversation_id","message"} keeps a dialogue per id and answers
// with `event: delta` {"text"}, `event: media` {"link"} and `event: done`.
// The first content chunk goes FirstChunk after the request and carries
// StampField (the wall clock as it is written); then ChunkInterval apart,
// Stall on every StallEvery-th chunk; CutRate ends a stream half way
// without its end marker.
//
// GET WebSocketPath opens a chat widget's WebSocket (subprotocol
// WebSocketSubprotocol, or none): {"type":"hello","conversation_id"} keys
// the dialogue by id (a client that reconnects goes on with it), each
// {"type":"message","text","turn"} gets {"type":"delta","text"} and
// {"type":"media","link"} frames paced as above, then {"type":"done",
// "usage"}; a message whose turn was just answered (sent again after a
// reconnect) gets the same reply. CloseRate closes the connection half way
// through a reply with 1011; an invalid frame gets {"type":"error"}.
//
// # WhatsApp
//
// Once SetWhatsApp is called, WhatsAppPath is a WhatsApp Cloud API bot
// written against Meta's documentation (whatsapp.go): GET answers the
// hub.challenge handshake, POST checks X-Hub-Signature-256 (401 when
// wrong), answers 200 at once, and later marks the message read and sends
// the dialogue's reply (keyed by the sender's wa_id) through the Graph API
// with the bearer token — texts answering the message (context), an image
// now and then, the payment link as a call-to-action button. A message id
// seen before is not answered again, unless NotIdempotent; NoToken and
// NoMarkRead are the other bugs it can have. A statuses webhook (sent,
// delivered, read) is taken at once once its signature checks out, and
// counted (Stats.Statuses).
//
// The widget endpoint likewise takes a message whose Idempotency-Key its
// conversation took before (a channel's re-delivery) without answering it
// again, counted in Stats.Repeats, unless Options.NotIdempotent.
//
// # Dialogue
//
// Matching is lenient: case and accents are ignored, and a message that
// does not answer the question gets the question again, state unchanged.
// A yes/no answer is read from its first decisive word — yes: sim, s, pode,
// claro, aceito, quero, ok, isso, confirmo, bora, beleza, perfeito, certo;
// no: não/nao, n, dispenso, nem, negativo, recuso — so "não quero" is no.
//
//	greet      anything → greeting as Ana, asks the name.
//	name       any text → "Prazer, <name>!" + opt-in question. The name is the
//	           word after "me chamo", "meu nome é", "pode me chamar de", "sou",
//	           or else the first word that is not a greeting.
//	optin      yes/no → menu (1️⃣ buy, 2️⃣ questions, 3️⃣ after-sales,
//	           4️⃣ weather). Unclear → asks again.
//	menu       in this order: after-sales words (cancel, reembolso, remarcar,
//	           estorno, pós-venda) → policy + menu; "compr" → buy; the option
//	           numbers 1–4; question words (onde, dúvida, fica, fazer, atração,
//	           endereço) → where the park is and what it has + menu; weather
//	           (tempo, clima, chuva, previsão) → forecast + menu; a bare
//	           mention of ingresso, Arvorar, passaporte → buy; else the menu
//	           again. Buy → the ticket list with prices (Adulto 1 dia R$ 320,
//	           Criança 1 dia R$ 310, Passaporte 2 dias R$ 399, Passaporte
//	           Insano R$ 469, Idoso/PcD/Gestante R$ 160, Arvorar R$ 189) and
//	           the non-payment link https://www.thermasaquapark.com.br/ingressos,
//	           then asks the date. Mentioning Arvorar makes it an Arvorar order.
//	date       dd/mm, dd/mm/yyyy (also - or .), "dia 21/11", "21 de novembro";
//	           no year means the current one. Closed days (20/11, 24/12,
//	           25/12, 31/12, 01/01) → "Infelizmente o parque estará fechado em
//	           dd/mm. Gostaria de escolher outra data?" (stays; yes → asks the
//	           date, no → menu). "<ordinal> fim de semana de <mês>" (primeiro,
//	           segundo, terceiro, quarto, último, 2º; none means the first)
//	           → that weekend's Saturday and Sunday of the current year, then
//	           a date or "sábado"/"domingo" picks one. Open day → "Temos
//	           disponibilidade para dd/mm! Quantos ingressos de cada tipo você
//	           deseja?". Anything else → asks for dd/mm.
//	quantities counts before ticket words, digits or um/uma/dois/duas/três/
//	           quatro/cinco/…/dez, with fillers between ("4 ingressos Arvorar",
//	           "2 de adulto"): adulto, criança/infantil, idoso/gestante/
//	           grávida/PcD/deficiente, passaporte (Insano when "insano"
//	           follows), insano, Arvorar; "4 ingressos"/"4 pessoas" are adult
//	           tickets. In an Arvorar order adult, child and special counts
//	           become Arvorar tickets. No count → asks again. Else the
//	           selection with its total and the upsell (cabana R$ 250).
//	upsell     yes → adds a cabana; no → none; then asks the full name.
//	           Unclear → asks again.
//	fullname   two or more words (after "meu nome completo é" and the like)
//	           → asks the mobile in the format 55DDXXXXXXXXX (13 dígitos).
//	phone      the message's digits must pass datagen.ValidBRMobile.
//	email      a whitespace-separated token, trimmed of punctuation, that
//	           passes datagen.ValidEmail.
//	cpf        000.000.000-00, with or without dots and dash, or 11 digits,
//	           with valid check digits (datagen.ValidCPF) → order summary and
//	           "Posso confirmar? A forma de pagamento é Pix."; else "CPF
//	           inválido".
//	confirm    "pix" or yes → the payment link https://pay.<PaymentDomain>/
//	           <24 hex> (Stats.Completed); no → order dropped, menu. Unclear
//	           → asks again.
//	done       anything → a closing line, never the link again.
//
// Walkthrough returns one script that completes this flow.
package sim
