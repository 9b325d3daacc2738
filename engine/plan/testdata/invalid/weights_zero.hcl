target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  weight = 0 # ERROR: Persona weights sum to zero
  script = ["Olá"]
}

persona "talliz" {
  weight = 0 # ERROR: Persona weights sum to zero
  script = ["Oi"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
