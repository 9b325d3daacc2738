simulator {}

target "bot" {
  protocol = "htpp" # ERROR: Unsupported protocol
  url      = "http://127.0.0.1:8080/chat"
}

target "other" { # ERROR: Duplicate target block
  protocol = "openai"
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
