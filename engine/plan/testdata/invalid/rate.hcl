simulator {
  fail_rate   = 1.5 # ERROR: Value out of range
  drop_rate   = -0.1 # ERROR: Value out of range
  image_every = -1 # ERROR: Value out of range
  latency     = "-5ms" # ERROR: Value out of range
}

target "sim" {}

llm "gemini" {
  model        = "gemini-2.5-flash"
  price_input  = -1 # ERROR: Value out of range
  temperature  = 3 # ERROR: Value out of range
}

persona "edman" {
  script = ["Olá"]
}

conversation {
  max_turns = 0 # ERROR: Value out of range
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
