target "assistant" {
  url = "http://localhost:8080/"
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

data "customer" {
  cpf = cpf()
}

persona "kataryna" {
  llm    = "gemini"
  prompt = templatefile("../personas/kataryna.txt", { customer = data.customer }) # ERROR: Error in function call
}

persona "talliz" {
  llm    = "gemini"
  prompt = templatefile("../personas/kataryna.txt", "not an object") # ERROR: Invalid function argument
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
