# 10 customers for 10 minutes against the live assistant
#
#   voyplan apply plans/smoke.hcl
#
# Runs against the live assistant: its replies come back through an ngrok
# tunnel (NGROK_AUTHTOKEN), or set public_url to an address that reaches
# the webhook's listen address. The customers are the three Gemini-played
# personas of the old tool (personas/*.txt, with each user's generated data):
# set GOOGLE_API_KEY in the environment or in .env. `voyplan plan` prints the
# worst-case bill; the budget threshold stops the run if it is crossed.

plan "smoke" {
  description = "10 customers for 10 minutes against the live assistant"
  seed        = 0 # random; set a number to reproduce personas and data
}

variable "channel_id" {
  default     = "68e4464832ec9940d9993a12"
  description = "the assistant's channel (-var channel_id=... or VOYPLAN_VAR_channel_id)"
}

variable "public_url" {
  default     = ""
  description = "an address that already reaches the webhook listener; empty: ngrok"
}

target "voyager" {
  url           = "https://voyager.g121.io/v1/webhooks/widget"
  channel_id    = var.channel_id
  client_domain = "@stw.ai"
  timeout       = "30s"
}

webhook {
  listen     = "127.0.0.1:5001"
  tunnel     = "ngrok"
  public_url = var.public_url
}

llm "gemini" {
  model               = "gemini-2.5-flash"
  api_key             = env("GOOGLE_API_KEY")
  price_input         = 0.30 # USD per 1M input tokens
  price_output        = 2.50 # USD per 1M output tokens, thinking included
  thinking_budget     = 0    # a customer's message needs no thinking, which is billed as output (-1: the model decides)
  temperature         = 0.7
  max_output_tokens   = 128 # a WhatsApp message; bounds the bill
  timeout             = "60s"
  max_retries         = 3    # 429, 5xx and transport errors, with backoff, honouring the server's retry delay
  requests_per_minute = 1000 # the project's quota, shared by every virtual user
  tokens_per_minute   = 1000000
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}

persona "kataryna" { # 11/10/2026, 2 adults + 2 children, accepts the upsell
  weight = 1
  llm    = "gemini"
  prompt = templatefile("../personas/kataryna.txt", { customer = data.customer })
}

persona "talliz" { # where is the park?, Arvorar, 20/11 is closed so 21/11, 4 adults, no upsell
  weight = 1
  llm    = "gemini"
  prompt = templatefile("../personas/talliz.txt", { customer = data.customer })
}

persona "edman" { # second weekend of November, 1 adult 1 pregnant 2 seniors, no upsell
  weight = 1
  llm    = "gemini"
  prompt = templatefile("../personas/edman.txt", { customer = data.customer })
}

conversation {
  opening                = "Olá"
  max_turns              = 15
  reply_timeout          = "120s"
  reply_settle           = "2s"
  think_time             = "500ms"
  conversations_per_user = 0
  pacing                 = "3s"
  complete_when          = "reply matches 'https://pay[.]'"
}

stage "run" {
  users      = 10
  spawn_rate = 2
  duration   = "10m"
}

threshold "success" {
  check = "conversations.success_rate >= 0.9"
}

threshold "reply_p95" {
  check = "reply.p95 < duration('30s')"
}

threshold "llm_errors" {
  check = "llm.error_rate < 0.05"
}

threshold "budget" {
  check = "cost.usd <= 2.0"
  abort = true # checked during the run too: no conversation starts once crossed
}
