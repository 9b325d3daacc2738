# Replay: the customers of an earlier run, said again to a new build. Each
# replayed conversation sends a recorded conversation's messages, with its
# customer's data, as long as the assistant's replies stay like the
# recorded ones; at the first reply that diverges it ends here
# (on_divergence = "end") — or another persona of the plan carries on from
# there. No simulated-user noise: only the assistant changed. No key, no
# network, about 10 seconds.
#
#   voyplan apply plans/local.hcl --out runs/release-41      # the recording
#   voyplan apply plans/examples/replay.hcl                   # the same build: every reply matches
#   voyplan apply plans/examples/replay.hcl -var reword_from=5 --out runs/release-42
#   voyplan compare runs/release-41 runs/release-42

plan "example-replay" {
  description = "The customers of runs/release-41 said again; the simulator rewords its replies from reword_from on"
  seed        = 20261206
}

variable "recording" {
  description = "a run directory (or its conversations.jsonl), relative to this file"
  default     = "../../runs/release-41"
}

variable "reword_from" {
  description = "the simulator's new build: from this reply of each conversation on, other words (0: the same build)"
  default     = 0
}

simulator {
  latency     = "50ms"
  image_every = 4 # as plans/local.hcl, so the same build sends the same replies
  reword_from = var.reword_from
}

target "voyager" {}

webhook {
  listen = "127.0.0.1:0"
  tunnel = "none"
}

data "customer" { # replaced, in each replayed conversation, by the recorded customer's data
  name = name()
}

persona "replayed" {
  replay        = var.recording
  on_divergence = "end" # or the name of an llm (or rules) persona of this plan, which takes over told the conversation so far
  divergence    = 0.6   # a reply sharing less than 60% of its words with the recorded one diverged
}

conversation {
  max_turns              = 20
  reply_timeout          = "10s"
  reply_settle           = "100ms"
  think_time             = "100ms"
  conversations_per_user = 1
  complete_when          = "reply matches 'https://pay[.]smarttalks[.]ai/[0-9a-f]{24}'"
}

stage "all" { # one conversation per user: the first six recorded conversations (they cycle when fewer)
  users      = 6
  spawn_rate = 6
  duration   = "30s"
}

threshold "as_recorded" {
  check = "replay.diverged == 0"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}
