# An assistant served as an OpenAI-compatible chat completions endpoint
# (protocol "openai"), as many agent frameworks and gateways serve one:
# every turn POSTs the whole conversation to {url}/v1/chat/completions and
# the reply is choices[0].message.content. The assistant's own token usage
# is recorded per turn (assistant_usage), apart from the customers'.
#
#   BOT_TOKEN=... voyplan apply plans/examples/openai.hcl -var url=http://127.0.0.1:8080

plan "example-openai" {
  description = "Four scripted customers against an OpenAI-compatible assistant"
  seed        = 20261124
}

variable "url" {
  default     = "http://127.0.0.1:8080"
  description = "the endpoint's base URL (…/v1 and …/v1/chat/completions work too)"
}

variable "model" {
  default = "parque-v1"
}

target "bot" {
  protocol = "openai"
  url      = var.url
  model    = var.model
  system   = "Você é a atendente virtual do parque aquático. Responda em português."
  api_key  = env("BOT_TOKEN") # sent as a bearer token; never printed
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
