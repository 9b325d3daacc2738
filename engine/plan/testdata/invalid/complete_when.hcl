target "assistant" {
  url = "http://localhost:8080/"
}

data "customer" {
  cpf = cpf()
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  complete_when = "replay matches 'https://pay[.]'" # ERROR: Invalid complete_when
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
