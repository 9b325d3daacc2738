target "bot" {
  protocol = "http"
  request { # ERROR: Missing required argument
    method  = "GET /x" # ERROR: Invalid method
    headers = ["Authorization"] # ERROR: Invalid request headers
    body    = uuid() # ERROR: Call to unknown function
  }
  request { # ERROR: Duplicate request block
    url = "http://127.0.0.1:8080/chat"
  }
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
