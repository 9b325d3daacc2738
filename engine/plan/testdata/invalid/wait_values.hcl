# Each end of a range is reported on its own line: a bad duration, a
# negative one, a value of the wrong type.
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  think_time = [
    "-1s", # ERROR: Value out of range
    "2 seconds", # ERROR: Invalid duration
  ]
  pacing = [
    "1s",
    ["3s"], # ERROR: Incorrect attribute value type
  ]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
