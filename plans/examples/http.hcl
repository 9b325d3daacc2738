# An assistant that answers in the HTTP response (protocol "http"): one JSON
# request per customer message, the reply read from the JSON response.
#
#   BOT_TOKEN=... voyplan apply plans/examples/http.hcl -var url=http://127.0.0.1:8080
#
# The test suite runs it against a loopback bot answering
#   POST /chat {"conversation_id", "message", "customer"}
#   → {"conversation_id", "messages": [{"type": "text", "text"}, {"type": "image", "url"}]}

plan "example-http" {
  description = "Four scripted customers against a synchronous JSON chat API"
  seed        = 20261124
}

variable "url" {
  default     = "http://127.0.0.1:8080"
  description = "the assistant's base URL"
}

target "bot" {
  protocol = "http"

  request {
    method = "POST"
    url    = "${var.url}/chat"
    # Header values are secrets: never printed, never written to results.
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    # Evaluated for every turn; a value that is not a string is sent as JSON.
    body = {
      conversation_id = conversation.id
      message         = message
      customer        = data.customer
    }
  }

  response { # expr-lang over the decoded JSON: body, status, headers
    text  = "map(filter(body.messages, .type == 'text'), .text)"
    media = "map(filter(body.messages, .type == 'image'), .url)"
  }

  session {
    mode = "body" # the request carries conversation.id; or "header", "cookie"
  }
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
