target "assistant" {
  url = "localhost:8080" # ERROR: Invalid URL
}

webhook {
  listen     = "5001" # ERROR: Invalid listen address
  tunnel     = "cloudflared" # ERROR: Unsupported tunnel
  public_url = "hooks.example.com" # ERROR: Invalid URL
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
