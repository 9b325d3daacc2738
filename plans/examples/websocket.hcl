# A chat widget spoken to over a WebSocket (protocol "websocket"), here the
# built-in simulator's WebSocket endpoint, offline: one connection per
# conversation, a hello frame when it opens, a frame per customer message;
# the frames that come back are the reply, read with the frames block's
# expressions (over data — the frame decoded when it is JSON — and
# binary). The end expression names the frame that ends a reply; without
# one the reply is whole after reply_settle of quiet.
#
#   voyplan apply plans/examples/websocket.hcl

plan "example-websocket" {
  description = "Four scripted customers against a WebSocket chat widget"
  seed        = 20261205
}

simulator {
  first_chunk    = "150ms"
  chunk_interval = "10ms"
  image_every    = 3 # a park photo as a media frame with every 3rd reply
}

target "widget" {
  protocol      = "websocket"
  url           = "ws://simulator/v1/ws" # with a simulator block, only the path counts
  subprotocol   = "voyplan.chat"
  hello         = jsonencode({ type = "hello", conversation_id = conversation.id })
  send          = jsonencode({ type = "message", text = message, turn = turn })
  reconnect     = true # a dropped connection is opened again once, the message sent again
  ping_interval = "1s"

  frames {
    text  = "data.type == 'delta' ? data.text : nil"
    media = "data.type == 'media' ? data.link : nil"
    end   = "data.type == 'done'"
    usage = "data.type == 'done' ? data.usage.output_tokens : nil" # stream.tokens_per_s
  }
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}

persona "kataryna" {
  weight = 2
  script = split("\n", trimspace(templatefile("../../personas/kataryna.script", { customer = data.customer })))
}

persona "talliz" {
  weight = 1
  script = split("\n", trimspace(templatefile("../../personas/talliz.script", { customer = data.customer })))
}

persona "edman" {
  weight = 1
  script = split("\n", trimspace(templatefile("../../personas/edman.script", { customer = data.customer })))
}

conversation {
  max_turns              = 20
  reply_timeout          = "10s"
  reply_settle           = "100ms"
  think_time             = "100ms"
  conversations_per_user = 1
  complete_when          = "reply matches 'https://pay[.]smarttalks[.]ai/[0-9a-f]{24}'"
}

stage "all" {
  users      = 4
  spawn_rate = 4
  duration   = "30s"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}

threshold "first_token_p95" {
  check = "first_token.p95 < duration('500ms')"
}

threshold "connections_kept" {
  check = "stream.closes == 0 && stream.connect_failures == 0 && stream.not_understood == 0"
}
