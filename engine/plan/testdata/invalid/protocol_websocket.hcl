target "widget" {
  protocol      = "websocket"
  url           = "ftp://chat.example.com/ws" # ERROR: Invalid target url
  subprotocol   = "chat v1" # ERROR: Invalid subprotocol
  hello         = jsonencode({ turn = turn }) # ERROR: Unknown variable
  send          = jsonencode({ text = mesage }) # ERROR: Unknown variable
  ping_interval = "-1s" # ERROR: Value out of range
  timeout       = "30s" # ERROR: Unsupported argument

  frames {
    text = "data.text +" # ERROR: Invalid frames text
    end  = "data.type == 'done'"
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
