target "assistant" {
  url = "http://localhost:8080/"
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

persona "missing" {
  replay = "../replay/nowhere.jsonl" # ERROR: Cannot use the recording
}

persona "empty" {
  replay = "../replay/empty.jsonl" # ERROR: Cannot use the recording
}

persona "garbled" {
  replay = "../replay/bad.jsonl" # ERROR: Cannot use the recording
}

persona "too_close" {
  replay     = "../replay"
  divergence = 1.5 # ERROR: Value out of range
}

persona "misnamed" {
  replay        = "../replay/conversations.jsonl"
  on_divergence = "katarina" # ERROR: Unknown persona
}

persona "scripted" {
  replay        = "../replay"
  on_divergence = "edman" # ERROR: Invalid takeover persona
}

persona "both" {
  replay = "../replay" # ERROR: Conflicting persona driver
  script = ["Olá"]
}

persona "kataryna" {
  weight = 0
  llm    = "gemini"
  prompt = "Você é um cliente."
}

persona "edman" {
  script        = ["Olá"]
  on_divergence = "end" # ERROR: Unexpected on_divergence
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
