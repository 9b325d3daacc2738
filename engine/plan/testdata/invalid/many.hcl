plan "many" {
  seed = -4 # ERROR: Value out of range
}

variable "region" { # ERROR: No value for required variable
}

target "assistant" {
  url     = "http://localhost:8080/"
  timeout = "thirty" # ERROR: Invalid duration
}

webhook {
  tunnel = "ssh" # ERROR: Unsupported tunnel
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

data "customer" {
  cpf = cpf()
}

persona "kataryna" {
  llm    = "gemnii" # ERROR: Unknown llm
  prompt = templatefile("../personas/kataryna_missing.txt", { customer = data.customer }) # ERROR: Invalid function argument
}

persona "edman" {
  script = ["Olá", var.regoin] # ERROR: Unsupported attribute
}

persona "edman" { # ERROR: Duplicate persona
  script = ["Oi"]
}

conversation {
  complete_when = "reply maches 'x'" # ERROR: Invalid complete_when
  max_turnz     = 3 # ERROR: Unsupported argument
}

stage "ramp" {
  users      = 10
  spawn_rate = 2
  duration   = "10 minutes" # ERROR: Invalid duration
}

threshold "p96" {
  check = "reply.p96 < duration('30s')" # ERROR: Invalid threshold check
}

threshold "rate" {
  check = "conversations.success_rate >= 0.9"
}

simulator {
  drop_rate = 2 # ERROR: Value out of range
}
