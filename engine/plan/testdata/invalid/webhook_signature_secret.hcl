target "assistant" {
  url = "http://localhost:8080/"
}

webhook {
  signature_header = "X-Signature" # ERROR: Signature header without a secret
}

persona "edman" {
  script = ["Olá"]
}

stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
