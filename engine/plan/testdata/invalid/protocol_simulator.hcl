simulator {}

target "bot" {
  protocol = "openai" # ERROR: Simulator needs the voyager protocol
  url      = "http://127.0.0.1:8080"
  model    = "bot"
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
