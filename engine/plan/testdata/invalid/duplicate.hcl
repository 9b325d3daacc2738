plan "a" {}
plan "b" {} # ERROR: Duplicate plan block

target "assistant" {
  url = "http://localhost:8080/"
}

target "other" { # ERROR: Duplicate target block
  url = "http://localhost:8081/"
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

llm "gemini" { # ERROR: Duplicate llm
  model = "gemini-2.5-pro"
}

data "customer" {
  cpf = cpf()
}

data "customer" { # ERROR: Duplicate data block
  cpf = cpf()
}

persona "edman" {
  script = ["Olá"]
}

persona "edman" { # ERROR: Duplicate persona
  script = ["Oi"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}

stage "smoke" { # ERROR: Duplicate stage
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}

threshold "ok" {
  check = "true"
}

threshold "ok" { # ERROR: Duplicate threshold
  check = "true"
}

variable "x" {
  default = 1
}

variable "x" { # ERROR: Duplicate variable
  default = 2
}
