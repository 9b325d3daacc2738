plan "types" {
  seed = "lucky" # ERROR: Incorrect attribute value type
}

target "assistant" {
  url = ["http://localhost:8080/"] # ERROR: Incorrect attribute value type
}

persona "edman" {
  weight = "heavy" # ERROR: Incorrect attribute value type
  script = "Olá" # ERROR: Invalid script
}

conversation {
  max_turns = 2.5 # ERROR: Incorrect attribute value type
}

stage "smoke" {
  users      = "ten" # ERROR: Incorrect attribute value type
  spawn_rate = 1
  duration   = "30s"
}

threshold "abort" {
  check = "cost.usd < 1"
  abort = "maybe" # ERROR: Incorrect attribute value type
}

data "customer" {
  tags = ["a", "b"] # ERROR: Incorrect attribute value type
}
