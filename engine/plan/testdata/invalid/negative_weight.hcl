target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  weight = -1 # ERROR: Value out of range
  script = ["Olá"]
}

stage "smoke" {
  users      = -3 # ERROR: Value out of range
  spawn_rate = 1
  duration   = "30s"
}
