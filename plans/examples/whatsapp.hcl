# A WhatsApp Cloud API bot (protocol "whatsapp"): voyplan plays Meta. Each
# customer message is a messages webhook POSTed to the bot, signed with
# X-Hub-Signature-256 under app_secret; the bot answers by calling the Graph
# API, which voyplan serves on graph_listen: POST /v21.0/<phone_number_id>/messages
# with "Authorization: Bearer <access_token>".
#
#   voyplan apply plans/examples/whatsapp.hcl
#
# runs against the built-in simulator's Cloud API bot, offline. To test your
# own bot, remove the simulator block, set bot_url to its webhook, and point
# its Graph API base URL (https://graph.facebook.com) at graph_listen — see
# the README's "WhatsApp bots" section.

plan "example-whatsapp" {
  description = "Four scripted customers against a WhatsApp Cloud API bot"
  seed        = 20261205
}

variable "app_secret" {
  default   = "fake-test-secret-1"
  sensitive = true
}

variable "access_token" {
  default   = "fake-test-token-1"
  sensitive = true
}

simulator {
  latency     = "50ms"
  image_every = 4
}

target "bot" {
  protocol        = "whatsapp"
  app_secret      = var.app_secret  # signs every delivery
  verify_token    = "fake-verify-1" # the GET hub.challenge handshake before the run
  phone_number_id = "106540352242922"
  access_token    = var.access_token # the bearer token the bot must present
  graph_listen    = "127.0.0.1:0"    # the Graph API stand-in (webhook {} tunnels it)
  wa_id           = data.customer.phone
  profile_name    = data.customer.name
  statuses        = true             # Meta's statuses webhooks (sent, delivered, read) after each bot message
  status_delay    = ["20ms", "80ms"] # each one that long after the one before
}

webhook {
  tunnel = "none"
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

persona "edman" {
  weight = 1
  script = split("\n", trimspace(templatefile("../../personas/edman.script", { customer = data.customer })))
}

conversation {
  max_turns              = 20
  reply_timeout          = "10s"
  reply_settle           = "150ms"
  think_time             = "50ms"
  conversations_per_user = 1
  complete_when          = "any(messages, .type == 'button' && .link matches '^https://pay[.]smarttalks[.]ai/[0-9a-f]{24}$')"
}

stage "all" {
  users      = 4
  spawn_rate = 4
  duration   = "30s"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}

threshold "no_send_errors" {
  check = "send.error_rate == 0"
}

threshold "graph_auth" {
  check = "whatsapp.auth_failures == 0 && whatsapp.signature_refused == 0"
}

threshold "statuses_taken" {
  check = "whatsapp.status_failed == 0"
}
