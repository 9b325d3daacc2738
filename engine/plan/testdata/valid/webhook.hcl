# A webhook target exercising every protocol attribute (a fuzz seed).
variable "base" {
  default = "http://127.0.0.1:8080"
}

data "customer" {
  name = name()
  cpf  = cpf()
}

target "bot" {
  protocol = "webhook"
  timeout  = "10s"
  request {
    method  = "post"
    url     = "${var.base}/conversations/${conversation.id}/messages"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}", "X-Turn" = turn }
    body = jsonencode({
      text     = message
      customer = data.customer
      session  = session.id
      persona  = conversation.persona
    })
  }
  session {
    mode    = "header"
    header  = "X-Session"
    id_from = "body.session_id"
  }
  callback {
    url_field = "webhook.url"
    match     = "body.session_id"
    text      = "map(filter(body.parts, .kind == 'text'), .content)"
    media     = "map(filter(body.parts, .kind == 'image'), .url)"
  }
}

persona "p" {
  script = ["Olá", data.customer.name]
}

stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
