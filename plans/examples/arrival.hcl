# An open model (k6's constant-arrival-rate): customers arrive at a rate,
# whatever became of the earlier ones, against the built-in simulator. A
# closed model (users = N) offers less load when the assistant slows down —
# its users wait for the replies before they start again; here a slow
# assistant meets the same arrivals, and those that find max_users
# conversations in flight are dropped and counted (conversations.dropped).
# No key, no network, about 20 seconds.
#
#   voyplan apply plans/examples/arrival.hcl

plan "example-arrival" {
  description = "Customers arriving at 1, then 3 a second against the built-in simulator"
  seed        = 20261124
}

simulator {
  latency     = "100ms"
  jitter      = "50ms"
  image_every = 3
}

target "voyager" {}

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

# No conversations_per_user or pacing: every arrival is a fresh customer
# who holds one conversation.
conversation {
  max_turns     = 20
  reply_timeout = "10s"
  reply_settle  = "100ms"
  think_time    = "200ms"
  complete_when = "reply matches 'https://pay[.]smarttalks[.]ai/[0-9a-f]{24}'"
}

stage "warm" {
  arrival_rate = 1 # conversations started per second
  duration     = "5s"
}

stage "peak" {
  arrival_rate = 3
  duration     = "15s"
  max_users    = 60 # in flight at most (per process); an arrival beyond it is dropped
}

threshold "no_drops" { # every customer who arrived was served
  check = "conversations.dropped == 0"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}

threshold "reply_p95" {
  check = "reply.p95 < duration('2s')"
}
