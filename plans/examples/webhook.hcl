# An asynchronous assistant with its own API (protocol "webhook"): each
# message is a JSON request that says where to call back; the reply arrives
# later, on one URL for every conversation, and names its conversation in
# the body.
#
#   BOT_TOKEN=... voyplan apply plans/examples/webhook.hcl -var url=http://127.0.0.1:8080
#
# The test suite runs it against a loopback bot answering
#   POST /messages {"conversation_id", "text", "customer", "reply_to"} → 202
#   later POST <reply_to> {"conversation_id", "reply": {"parts": [{"kind": "text", "content"}, {"kind": "image", "url"}]}}

plan "example-webhook" {
  description = "Four scripted customers against an asynchronous API that calls back"
  seed        = 20261124
}

variable "url" {
  default     = "http://127.0.0.1:8080"
  description = "the assistant's base URL"
}

target "bot" {
  protocol = "webhook"
  timeout  = "30s" # the request itself; the reply waits up to reply_timeout

  request {
    url     = "${var.url}/messages"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    body = jsonencode({
      conversation_id = conversation.id
      text            = message
      customer        = data.customer
    })
  }

  callback {
    url_field = "reply_to"             # voyplan sets this body field to the callback URL
    match     = "body.conversation_id" # one URL for all; or "path": a URL per turn (callback.url)
    text      = "map(filter(body.reply.parts, .kind == 'text'), .content)"
    media     = "map(filter(body.reply.parts, .kind == 'image'), .url)"
  }
}

webhook {
  listen = "127.0.0.1:0" # the assistant runs on this machine: no tunnel
  tunnel = "none"
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}

# The three customers of VOYAGER.md §4 as scripts, as in plans/local.hcl.
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

threshold "reply_p95" {
  check = "reply.p95 < duration('2s')"
}

threshold "no_send_errors" {
  check = "send.error_rate == 0"
}
