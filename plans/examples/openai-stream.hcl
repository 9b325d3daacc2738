# An OpenAI-compatible assistant that streams (protocol "openai" with
# stream = true), here the built-in simulator, offline: every turn asks for
# "stream": true with the usage in a last chunk, and the reply is read chunk
# by chunk until data: [DONE]. Beside reply (the time to the end of the
# reply) the run measures first_token (to the first chunk carrying text)
# and stall (the longest gap between two chunks), and counts stream.*.
#
#   voyplan apply plans/examples/openai-stream.hcl
#
# Against a real endpoint, remove the simulator block and set url (and
# api_key = env("BOT_TOKEN")).

plan "example-openai-stream" {
  description = "Four scripted customers against a streaming OpenAI-compatible assistant"
  seed        = 20261124
}

simulator {
  first_chunk    = "150ms" # time to the first chunk with text
  chunk_interval = "10ms"
  chunk_size     = 24      # characters of text per chunk
  stall_every    = 8       # every 8th chunk stalls...
  stall          = "120ms" # ...this long
}

target "bot" {
  protocol = "openai"
  url      = "http://simulator/v1" # with a simulator block, only the path counts
  model    = "parque-v1"
  stream   = true
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

threshold "no_cut_streams" {
  check = "stream.incomplete == 0"
}
