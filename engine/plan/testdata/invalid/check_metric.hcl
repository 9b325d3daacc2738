target "assistant" {
  url = "http://localhost:8080/"
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}

threshold "p96" {
  check = "reply.p96 < duration('30s')" # ERROR: Invalid threshold check
}

threshold "typo" {
  check = "conversatons.success_rate >= 0.9" # ERROR: Invalid threshold check
}

threshold "not_bool" {
  check = "cost.usd" # ERROR: Invalid threshold check
}

threshold "missing" { # ERROR: Missing required argument
  abort = true
}
