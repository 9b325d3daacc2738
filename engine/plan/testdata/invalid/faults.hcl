simulator {
  fail_status    = 302 # ERROR: Value out of range
  duplicate_rate = 2 # ERROR: Value out of range
  late_rate      = -1 # ERROR: Value out of range
  late_delay     = "-1s" # ERROR: Value out of range
  malformed_rate = 1.01 # ERROR: Value out of range
  slow_post      = "soon" # ERROR: Invalid duration
}

target "sim" {
  retries = 11 # ERROR: Value out of range
}

webhook {
  tunnel        = "ngrok"
  start_timeout = "0s" # ERROR: Value out of range
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
