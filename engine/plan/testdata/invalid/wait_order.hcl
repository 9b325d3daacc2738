# A range is the least wait, then the most; an empty list is no range.
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  think_time = ["3s", "1s"] # ERROR: Invalid duration range
  pacing     = [] # ERROR: Invalid duration range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
