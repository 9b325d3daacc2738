target "bot" {
  protocol = "http"
  request {
    url  = "http://127.0.0.1:8080/chat"
    body = jsonencode({ text = message, reply_to = callback.url }) # ERROR: Unknown variable
  }
}

target "again" { # ERROR: Duplicate target block
  protocol = "webhook"
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
