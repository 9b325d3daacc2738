target "bot" { # ERROR: Missing bot_url
  protocol        = "whatsapp"
  app_secret      = "fake-test-secret-1"
  phone_number_id = "+55 85 9999" # ERROR: Invalid phone_number_id
  access_token    = "fake-test-token-1"
  graph_listen    = "5002" # ERROR: Invalid listen address
  wa_id           = data.customer.phone
  profile_name    = customer.name # ERROR: Unknown variable
  statuses        = "yes please" # ERROR: Incorrect attribute value type
  status_delay    = ["1s", "2s", "3s"] # ERROR: Invalid duration range
  channel_faults {
    redeliver_rate = 2 # ERROR: Value out of range
    reorder_rate   = -0.5 # ERROR: Value out of range
    delay          = "soon" # ERROR: Invalid duration
  }
}

data "customer" {
  phone = br_mobile()
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
