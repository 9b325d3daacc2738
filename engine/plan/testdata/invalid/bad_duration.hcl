target "assistant" {
  url     = "http://localhost:8080/"
  timeout = "30 seconds" # ERROR: Invalid duration
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  reply_timeout = 120 # ERROR: Invalid duration
  think_time    = "-1s" # ERROR: Value out of range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "10x" # ERROR: Invalid duration
}

stage "zero" {
  users      = 1
  spawn_rate = 0 # ERROR: Value out of range
  duration   = "0s" # ERROR: Value out of range
}
