variable "base" {
  default = "http://127.0.0.1:8080"
}

data "customer" {
  cpf = cpf()
}

target "bot" {
  protocol   = "http"
  channel_id = "68e4464832ec9940d9993a12" # ERROR: Unsupported argument
  request {
    method  = "POST"
    url     = "${var.base}/chat"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    body    = jsonencode({ id = conversation.id, text = mesage, cpf = data.customer.cpff }) # ERROR: Unknown variable # ERROR: Unsupported attribute
  }
  response {
    text  = "body.messages[0].text"
    media = "map(body.images, .url) + bdy.more" # ERROR: Invalid response media
  }
  session {
    mode   = "cookies" # ERROR: Unsupported session mode
    header = "X-Session" # ERROR: Header without header mode
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
