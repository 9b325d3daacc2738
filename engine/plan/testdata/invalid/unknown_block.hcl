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

stages "typo" { # ERROR: Unsupported block type
  users = 1
}

scenario "x" {} # ERROR: Unsupported block type

persona { # ERROR: Missing name for persona
  script = ["Oi"]
}

stage "a" "b" { # ERROR: Extraneous label for stage
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}

webhook "named" { # ERROR: Extraneous label for webhook
}
