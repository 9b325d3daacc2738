# Neither a duration nor a list; and a single duration stays checked as before.
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  think_time = { min = "1s", max = "3s" } # ERROR: Incorrect attribute value type
  pacing     = "-3s" # ERROR: Value out of range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
