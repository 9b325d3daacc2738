target "assistant" {
  url = "http://localhost:8080/"
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

persona "both" {
  script = ["Olá"]
  llm    = "gemini" # ERROR: Conflicting persona driver
  prompt = "Você é um cliente."
}

persona "neither" { # ERROR: Missing persona driver
  weight = 1
}

persona "silent" { # ERROR: Missing required argument
  llm = "gemini"
}

persona "chatty" {
  script = ["Olá"]
  prompt = "unused" # ERROR: Unexpected prompt
}

persona "empty" {
  script = [] # ERROR: Invalid script
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
