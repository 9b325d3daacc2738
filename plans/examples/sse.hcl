# A chat API that answers with Server-Sent Events (protocol "sse"), here the
# built-in simulator's SSE endpoint, offline: the request is built as an
# http target's, the reply read event by event. The events block says which
# events carry text (expressions over event, data — decoded when it is
# JSON — and id) and which one ends the reply; without an end expression
# the reply ends with the stream, or after reply_settle of quiet.
#
#   voyplan apply plans/examples/sse.hcl

plan "example-sse" {
  description = "Four scripted customers against an SSE chat API"
  seed        = 20261124
}

simulator {
  first_chunk    = "150ms"
  chunk_interval = "10ms"
  image_every    = 3 # a park photo as a media event with every 3rd reply
}

target "bot" {
  protocol = "sse"
  request {
    url  = "http://simulator/v1/sse" # with a simulator block, only the path counts
    body = jsonencode({ conversation_id = conversation.id, message = message })
  }
  events {
    text  = "event == 'delta' ? data.text : nil"
    media = "event == 'media' ? data.link : nil"
    end   = "event == 'done'"
    usage = "event == 'done' ? data.usage.output_tokens : nil" # stream.tokens_per_s
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

threshold "stall_max" {
  check = "stall.max < duration('1s')"
}
