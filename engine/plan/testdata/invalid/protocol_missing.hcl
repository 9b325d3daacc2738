target "bot" { # ERROR: Missing request block
  protocol = "http"
  response {
    text = "body.reply"
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
