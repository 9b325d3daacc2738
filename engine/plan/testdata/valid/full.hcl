plan "smoke" {
  description = "10 customers for 10 minutes against the live assistant"
  seed        = 42
}

variable "channel_id" {
  default = "68e4464832ec9940d9993a12"
}

variable "users" {
  default     = 10
  description = "concurrent users"
}

variable "abort_budget" {
  type    = bool
  default = true
}

target "voyager" {
  url           = "https://voyager.g121.io/v1/webhooks/widget"
  channel_id    = var.channel_id
  client_domain = "@stw.ai"
  timeout       = "30s"
}

webhook {
  listen = "127.0.0.1:5001"
  tunnel = "ngrok"
}

llm "gemini" {
  model               = "gemini-2.5-flash"
  api_key             = env("GOOGLE_API_KEY")
  base_url            = "https://gateway.example.com"
  price_input         = 0.30
  price_output        = 2.50
  temperature         = 0.7
  max_output_tokens   = 256
  thinking_budget     = 0
  timeout             = "1m30s"
  max_retries         = 3
  requests_per_minute = 600
  tokens_per_minute   = 1000000
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
  id    = uuid()
  age   = 30 + 5
  vip   = true
}

data "order" {
  ref      = "${upper(substr(data.customer.id, 0, 8))}-${length(data.customer.name)}"
  contact  = lower(data.customer.email)
  greeting = format("Olá, sou %s", split(" ", data.customer.name)[0])
}

persona "kataryna" {
  weight = 2
  llm    = "gemini"
  prompt = templatefile("../personas/kataryna.txt", { customer = data.customer, greeting = data.order.greeting, language = "português" })
}

persona "edman" {
  weight = 1
  script = ["Olá", "Edman Smart 😉", "Meu CPF é ${data.customer.cpf}", "Quero comprar ingressos"]
}

conversation {
  opening                = "Oi"
  max_turns              = 20
  reply_timeout          = "90s"
  reply_settle           = "300ms"
  think_time             = "500ms"
  conversations_per_user = 0
  pacing                 = "3s"
  complete_when          = "reply matches 'https://pay[.]' || turn > 18 && customer.cpf != ''"
}

stage "ramp" {
  users      = var.users
  spawn_rate = 2
  duration   = "10m"
}

stage "hold" {
  users      = 10
  spawn_rate = 0.5
  duration   = "1h"
}

threshold "success" {
  check = "conversations.success_rate >= 0.9"
}

threshold "reply_p95" {
  check = "reply.p95 < duration('30s')"
}

threshold "budget" {
  check = "cost.usd <= 1.0"
  abort = var.abort_budget
}
