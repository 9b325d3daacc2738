target "bot" {
  protocol = "webhook"
  request {
    url  = "http://127.0.0.1:8080/messages"
    body = "conversation=${conversation.id}&text=${message}" # ERROR: Invalid request body
  }
  callback {
    url_field = "reply..to" # ERROR: Invalid url_field
    turn      = "body.turn" # ERROR: Invalid callback turn
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
