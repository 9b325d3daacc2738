target "assistant" {
  urll = "http://localhost:8080/" # ERROR: Unsupported argument
  url  = "http://localhost:8080/"
}

persona "edman" {
  wieght = 2 # ERROR: Unsupported argument
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
  duraton    = "1m" # ERROR: Unsupported argument
}

users = 3 # ERROR: Unsupported argument
