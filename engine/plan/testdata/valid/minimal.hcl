target "assistant" {
  url = "http://localhost:8080/v1/webhooks/widget"
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
