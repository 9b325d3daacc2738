variable "channel_id" { # ERROR: No value for required variable
  description = "no default, and no -var or VOYPLAN_VAR_channel_id in this test"
}

variable "users" {
  type    = number # ERROR: Invalid default value for variable
  default = "many"
}

variable "mode" { # ERROR: No value for required variable
  type = list # ERROR: Invalid variable type
}

target "assistant" {
  url        = "http://localhost:8080/"
  channel_id = var.channel_id
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = var.users
  spawn_rate = 1
  duration   = "30s"
}

variable "two words" { # ERROR: Invalid variable name
  default = 1
}
