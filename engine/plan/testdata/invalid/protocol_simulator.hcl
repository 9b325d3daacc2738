simulator {}

target "bot" {
  protocol = "http" # ERROR: Simulator needs the voyager protocol
  request {
    url  = "http://127.0.0.1:8080/chat"
    body = jsonencode({ text = message })
  }
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
