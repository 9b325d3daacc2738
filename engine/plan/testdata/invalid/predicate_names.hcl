target "assistant" {
  url = "http://localhost:8080/"
}

data "customer" {
  cpf  = cpf()
  name = name()
}

persona "kataryna" {
  rule {
    when = "reply contains customer.nmae" # ERROR: Invalid rule condition
    say  = "Oi"
  }
  fallback = "?"
}

conversation {
  complete_when = "reply contains customer.cfp" # ERROR: Invalid complete_when
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
