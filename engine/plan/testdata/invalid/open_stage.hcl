simulator {}

target "sim" {}

persona "edman" {
  script = ["Olá"]
}

stage "both" {
  users        = 10 # ERROR: Conflicting arguments
  arrival_rate = 5
  duration     = "1m"
}

stage "spawning" {
  arrival_rate = 5
  spawn_rate   = 2 # ERROR: Argument of a closed stage
  duration     = "1m"
}

stage "negative" {
  arrival_rate = -0.5 # ERROR: Value out of range
  duration     = "1m"
}

stage "flood" {
  arrival_rate = 1e9 # ERROR: Value out of range
  duration     = "1m"
}

stage "no_room" {
  arrival_rate = 1
  max_users    = 0 # ERROR: Value out of range
  duration     = "1m"
}

stage "fractional_cap" {
  arrival_rate = 1
  max_users    = 2.5  # ERROR: Incorrect attribute value type
  duration     = "0s" # ERROR: Value out of range
}

stage "long_ramp" {
  arrival_rate = 5
  ramp         = "2m" # ERROR: Value out of range
  duration     = "1m"
}
