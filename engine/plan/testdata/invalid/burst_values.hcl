# burst counts messages (1 or more); burst_gap is a wait range, least first.
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  burst            = [1, 0]          # ERROR: Value out of range
  burst_gap        = ["2s", "300ms"] # ERROR: Invalid duration range
  double_text_rate = 1.5             # ERROR: Value out of range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
