# The offline demo: the built-in simulator, three scripted customers, about
# 30 seconds. No key, no network.
#
#   voyplan apply plans/local.hcl

plan "local" {
  description = "Three scripted customers against the built-in simulator, offline"
  seed        = 20261124
}

simulator {
  latency     = "150ms" # the assistant's think time per reply
  jitter      = "100ms"
  image_every = 4 # a park photo with every 4th reply
  split_every = 5 # every 5th reply arrives as two callbacks
}

target "voyager" {
  channel_id    = "68e4464832ec9940d9993a12"
  client_domain = "@stw.ai"
}

webhook {
  listen = "127.0.0.1:0"
  tunnel = "none"
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}

# The three customers of VOYAGER.md §4, as fixed scripts (one message a line,
# the first included) that take the user's generated data. The Gemini-driven
# versions of the same stories are personas/<name>.txt.
persona "kataryna" { # 11/10/2026, 2 adults + 2 children, accepts the upsell
  weight = 2
  script = split("\n", trimspace(templatefile("../personas/kataryna.script", { customer = data.customer })))
}

persona "talliz" { # where is the park?, Arvorar, 20/11 is closed so 21/11, 4 adults, no upsell
  weight = 1
  script = split("\n", trimspace(templatefile("../personas/talliz.script", { customer = data.customer })))
}

persona "edman" { # second weekend of November, 1 adult 1 pregnant 2 seniors, no upsell
  weight = 1
  script = split("\n", trimspace(templatefile("../personas/edman.script", { customer = data.customer })))
}

conversation {
  opening                = "Olá"
  max_turns              = 20
  reply_timeout          = "10s"
  reply_settle           = "100ms"
  think_time             = "300ms"
  conversations_per_user = 0 # repeat until the stages end
  pacing                 = "1s"
  complete_when          = "reply matches 'https://pay[.]smarttalks[.]ai/[0-9a-f]{24}'"
}

stage "ramp" {
  users      = 6
  spawn_rate = 2
  duration   = "10s"
}

stage "hold" {
  users      = 6
  spawn_rate = 2
  duration   = "20s"
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
