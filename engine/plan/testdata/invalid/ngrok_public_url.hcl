target "assistant" {
  url = "http://localhost:8080/"
}

webhook {
  tunnel     = "ngrok"
  public_url = "https://hooks.example.com" # ERROR: Conflicting webhook settings
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
