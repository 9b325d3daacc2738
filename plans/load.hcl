# 100 customers for 30 minutes against the live assistant
#
#   voyplan apply plans/load.hcl
#
# Runs against the live assistant: its replies come back through an ngrok
# tunnel (NGROK_AUTHTOKEN), or set public_url to an address that reaches
# the webhook's listen address. Until the Gemini driver lands the customers
# are the scripted versions of the three stories (the old tool's no-LLM mode).

plan "load" {
  description = "100 customers for 30 minutes against the live assistant"
  seed        = 0 # random; set a number to reproduce personas and data
}

variable "channel_id" {
  default     = "68e4464832ec9940d9993a12"
  description = "the assistant's channel (-var channel_id=... or VOYPLAN_VAR_channel_id)"
}

variable "public_url" {
  default     = ""
  description = "an address that already reaches the webhook listener; empty: ngrok"
}

target "voyager" {
  url           = "https://voyager.g121.io/v1/webhooks/widget"
  channel_id    = var.channel_id
  client_domain = "@stw.ai"
  timeout       = "30s"
}

webhook {
  listen     = "127.0.0.1:5001"
  tunnel     = "ngrok"
  public_url = var.public_url
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}

persona "kataryna" {
  weight = 1
  script = split("\n", trimspace(templatefile("../personas/kataryna.script", { customer = data.customer })))
}

persona "talliz" {
  weight = 1
  script = split("\n", trimspace(templatefile("../personas/talliz.script", { customer = data.customer })))
}

persona "edman" {
  weight = 1
  script = split("\n", trimspace(templatefile("../personas/edman.script", { customer = data.customer })))
}

conversation {
  opening                = "Olá"
  max_turns              = 15
  reply_timeout          = "120s"
  reply_settle           = "2s"
  think_time             = "500ms"
  conversations_per_user = 0
  pacing                 = "3s"
  complete_when          = "reply matches 'https://pay[.]'"
}

stage "run" {
  users      = 100
  spawn_rate = 5
  duration   = "30m"
}

threshold "success" {
  check = "conversations.success_rate >= 0.9"
}

threshold "reply_p95" {
  check = "reply.p95 < duration('30s')"
}
