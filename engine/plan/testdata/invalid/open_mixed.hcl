simulator {}

target "sim" {}

persona "edman" {
  script = ["Olá"]
}

stage "ramp" {
  users      = 10
  spawn_rate = 2
  max_users  = 50 # ERROR: Argument of an open stage
  ramp       = "10s" # ERROR: Argument of an open stage
  duration   = "1m"
}

stage "peak" { # ERROR: Mixed stage models
  arrival_rate = 5
  max_users    = 300
  duration     = "2m"
}

stage "hold" { # ERROR: Missing required argument
  users    = 10
  duration = "1m"
}

stage "idle" { # ERROR: Missing required argument
  duration = "1m"
}
