target "bot" { # ERROR: Missing required argument
  protocol = "openai"
  url      = "127.0.0.1:8080" # ERROR: Invalid URL
  headers  = { "Bad Header" = "x" } # ERROR: Invalid header name
  timeout  = "30s" # ERROR: Unsupported argument
  retries  = -1 # ERROR: Value out of range
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
