target "assistant" {
  url = "http://localhost:8080/"
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

llm "claude" { # ERROR: Missing required argument
}

persona "kataryna" {
  llm    = "gemni" # ERROR: Unknown llm
  prompt = "Você é um cliente."
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
