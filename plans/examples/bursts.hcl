# Customers who type like people (issue 14 §2): each message is sent as one
# to three messages, split at sentence and clause breaks, 200–600ms apart,
# and now and then followed up with "?" while the reply is still coming.
#
#   voyplan apply plans/examples/bursts.hcl
#
# runs against the built-in simulator, offline. The simulator waits for the
# customer to finish typing (debounce) and answers each thought once; set
# answers_each_fragment = true in its block to see a bot that answers every
# fragment caught by double_answers and replies per burst.

plan "example-bursts" {
  description = "Four scripted customers who split their messages, against the simulator"
  seed        = 20261206
}

simulator {
  latency     = "50ms"
  image_every = 4
  debounce    = "1s" # waits this long after a message for the next
  # answers_each_fragment = true # the bug: answers every fragment at once
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
  burst                  = [1, 3]             # one thought, one to three messages
  burst_gap              = ["200ms", "600ms"] # typing the next one
  double_text_rate       = 0.1                # "?" while the reply is still coming
  complete_when          = "reply matches 'https://pay[.]smarttalks[.]ai/'"
}

stage "all" {
  users      = 4
  spawn_rate = 4
  duration   = "60s"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}

threshold "answered_once" {
  check = "double_answers == 0"
}

threshold "reply_from_first" {
  check = "reply_from_first.p95 < duration('5s')"
}
