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
  prompt = templatefile("../personas/nope.txt", { customer = data.customer }) # ERROR: Invalid function argument
}

persona "talliz" {
  llm    = "gemini"
  prompt = file("../personas/missing.txt") # ERROR: Invalid function argument
}

persona "edman" {
  script = [cpff()] # ERROR: Call to unknown function
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
