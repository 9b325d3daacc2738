variable "channel_id" {
  default = "abc"
}

target "assistant" {
  url        = "http://localhost:8080/"
  channel_id = var.chanel_id # ERROR: Unsupported attribute
}

persona "edman" {
  script = ["Olá", var.nope] # ERROR: Unsupported attribute
}

stage "smoke" {
  users      = vars.users # ERROR: Unknown variable
  spawn_rate = 1
  duration   = "30s"
}
