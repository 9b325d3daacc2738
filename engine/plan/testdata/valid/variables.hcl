variable "users" {
  type    = number
  default = 1
}

variable "spawn_rate" {
  default = 1.5
}

variable "channel_id" {
  type = string
}

variable "label" {
  default = "from-default"
}

variable "abort" {
  type    = "bool"
  default = false
}

target "assistant" {
  url        = "http://localhost:8080/v1/webhooks/widget"
  channel_id = var.channel_id
}

persona "edman" {
  script = [var.label]
}

stage "smoke" {
  users      = var.users
  spawn_rate = var.spawn_rate
  duration   = "30s"
}

threshold "budget" {
  check = "cost.usd <= 1.0"
  abort = var.abort
}
