# think_time and pacing: one duration, or a range of exactly two.
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  think_time = ["1s", "2s", "3s"] # ERROR: Invalid duration range
  pacing     = ["1s"] # ERROR: Invalid duration range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
