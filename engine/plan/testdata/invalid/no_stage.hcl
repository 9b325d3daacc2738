# ERROR: Missing stage block
target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}
