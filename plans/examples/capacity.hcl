# How many conversations a minute can the assistant take with its reply
# p95 under 2 s? A capacity search over the arrival rate (an open model:
# conversations start on the clock, whatever became of the earlier ones)
# against the built-in simulator, made to slow with its load: each reply
# waits 1147 ms more for every reply in flight. Its knee is 0.857/s.
#
#   voyplan plan  plans/examples/capacity.hcl   # the search's worst case
#   voyplan apply plans/examples/capacity.hcl   # about 30 s
plan "capacity" {
  seed = 3
}

simulator {
  latency              = "20ms"
  latency_per_inflight = "1147ms"
}

target "sim" {}

persona "p" {
  script = ["Olá", "Edman", "Sim"]
}

conversation {
  complete_when = "turn >= 1"
  reply_timeout = "20s"
}

capacity {
  vary      = "arrival_rate" # conversations started per second
  from      = 0.5
  to        = 8
  hold      = "4s" # each step is judged on its hold alone
  ramp      = "1s"
  steps     = 4
  max_users = 100 # in flight at most; an arrival beyond is dropped
  require   = 10  # completed conversations per minute, or exit 2
}

threshold "reply_p95" {
  check = "reply.p95 < duration('2s')"
}
