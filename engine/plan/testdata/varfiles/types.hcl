# A plan whose variables take every kind of value a variable file gives.
variable "lines" {} # no type, no default: any value, a list here

variable "settings" {
  default = { channel = "default-channel" } # not a primitive: any value
}

variable "users" {
  type = number
}

variable "rate" {
  default = 1 # untyped, but its default makes it a number
}

variable "label" {
  type    = string
  default = ""
}

target "assistant" {
  url        = "http://localhost:8080/v1/webhooks/widget"
  channel_id = var.settings["channel"]
}

persona "edman" {
  script = concat(var.lines, [var.label])
}

stage "smoke" {
  users      = var.users
  spawn_rate = var.rate
  duration   = "30s"
}
