# Voyager's widget API (protocol "voyager", the default): each message is
# POSTed with a webhook URL and the reply arrives later on it.
#
#   voyplan sim --listen 127.0.0.1:8000 &        # a Voyager-compatible assistant
#   voyplan apply plans/examples/voyager.hcl -var url=http://127.0.0.1:8000/v1/webhooks/widget

plan "example-voyager" {
  description = "Four scripted customers against a Voyager widget endpoint"
  seed        = 20261124
}

variable "url" {
  default     = "http://127.0.0.1:8000/v1/webhooks/widget"
  description = "the widget endpoint"
}

target "voyager" {
  protocol      = "voyager" # the default; every plan without protocol speaks it
  url           = var.url
  channel_id    = "68e4464832ec9940d9993a12"
  client_domain = "@stw.ai"
  timeout       = "30s"
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
