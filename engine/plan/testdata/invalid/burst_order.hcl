# A burst range is the least messages, then the most.
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  burst = [3, 1] # ERROR: Invalid message count range
}

simulator {
  debounce = "-1s" # ERROR: Value out of range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
