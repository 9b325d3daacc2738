target "assistant" {
  url = "http://localhost:8080/"
}

data "customer" {
  name = name()
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

persona "replayed" {
  replay        = "../replay"
  on_divergence = "kataryna"
}

persona "kataryna" {
  weight = 0
  llm    = "gemini"
  prompt = "Você é ${data.customer.name}."
}

persona "ending" {
  weight     = 0
  replay     = "../replay/conversations.jsonl"
  divergence = 0.25
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
