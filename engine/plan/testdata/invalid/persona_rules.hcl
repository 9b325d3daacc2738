target "assistant" {
  url = "http://localhost:8080/"
}

llm "gemini" {
  model = "gemini-2.5-flash"
}

data "customer" {
  cpf = cpf()
}

persona "typo" {
  rule {
    when = "reply matches '(?i)cpf' && turm > 2" # ERROR: Invalid rule condition
    say  = data.customer.cpf
  }
}

persona "mixed" {
  script = ["Olá"]
  rule { # ERROR: Conflicting persona driver
    when = "true"
    say  = "Oi"
  }
}

persona "mute" {
  rule { # ERROR: Missing required argument
    when = "reply contains 'nome'"
  }
  fallback = "Como?"
}

persona "stop_and_say" {
  rule {
    when = "reply contains 'Tchau'"
    stop = true
    say  = "Tchau" # ERROR: Unexpected say
  }
}

persona "no_when" {
  rule { # ERROR: Missing required argument
    say = "Oi"
  }
}

persona "bad_ref" {
  rule {
    when = "true"
    say  = data.client.cpf # ERROR: Unsupported attribute
  }
}

persona "empty_say" {
  rule {
    when = "true"
    say  = "" # ERROR: Invalid say
  }
}

persona "stray_fallback" {
  script   = ["Olá"]
  fallback = "Como?" # ERROR: Unexpected fallback
}

persona "rules_with_prompt" {
  rule {
    when = "true"
    say  = "Oi"
  }
  prompt = "Você é um cliente." # ERROR: Unexpected prompt
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
