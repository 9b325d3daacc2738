plan "open" {
  seed = 11
}

simulator {}

target "sim" {}

persona "edman" {
  weight = 1
  script = ["Olá", "Quero comprar ingressos"]
}

persona "talliz" {
  weight = 3
  script = ["Oi"]
}

conversation {
  max_turns = 4
}

stage "warm" {
  arrival_rate = 0.5
  duration     = "10s"
}

stage "peak" {
  arrival_rate = 5
  duration     = "2m"
  max_users    = 300
}

stage "quiet" {
  arrival_rate = 0
  duration     = "30s"
}

threshold "no_drops" {
  check = "conversations.dropped == 0"
}
