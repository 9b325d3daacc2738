variable "limit" {
  default = 10
}

target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  complete_when = "turn + ${var.limit}" # ERROR: Invalid complete_when
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
