target "assistant" {
  url        = "http://localhost:8080/"
  channel_id = data.customer.cpf # ERROR: Invalid reference
}

data "order" {
  owner = data.customer.name # ERROR: Invalid reference
}

data "customer" {
  name = name()
  cpf  = cpf()
  self = data.customer.name # ERROR: Invalid reference
}

data "reply" { # ERROR: Reserved data block name
  x = "y"
}

persona "edman" {
  script = [data.customer.cfp, data.custmer.cpf] # ERROR: Unsupported attribute # ERROR: Unsupported attribute
}

persona "talliz" {
  script = [uper("x"), data.customer.name] # ERROR: Call to unknown function
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
