target "assistant" {
  url = "http://localhost:8080/"
}

webhook {
  signature_secret = "s3cret"
  signature_header = "X Signature" # ERROR: Invalid header name
}

persona "edman" {
  script = ["Olá"]
}

stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
