target "bot" {
  protocol = "webhook"
  timeout  = "0s" # ERROR: Value out of range
  request { # ERROR: Callback URL not sent
    url  = "localhost:8080/messages" # ERROR: Invalid request url
    body = jsonencode({ conversation_id = conversation.id, text = message })
  }
  response { # ERROR: Unsupported block type
    text = "body.text"
  }
  callback {
    match = "body.conversation_id ==" # ERROR: Invalid callback match
    turn  = "body.turn +" # ERROR: Invalid callback turn
    text  = "body.reply.txt"
  }
  channel_faults {
    reorder_rate = 3 # ERROR: Value out of range
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
