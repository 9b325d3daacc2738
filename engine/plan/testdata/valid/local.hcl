plan "local" {
  seed = 0 # random at every load
}

simulator {
  listen         = "127.0.0.1:0"
  latency        = "20ms"
  jitter         = "5ms"
  payment_domain = "example.com"
  image_every    = 3
  split_every    = 4
  fail_rate      = 0.01
  drop_rate      = 0
}

target "sim" {}

webhook {
  public_url = "https://hooks.example.com/voyplan"
}

variable "api_key_env" {
  default = "GOOGLE_API_KEY"
}

llm "gemini" {
  model   = "gemini-2.5-flash"
  api_key = env(var.api_key_env) # unset here: apply checks it, validate must not
}

data "customer" {
  cpf   = cpf()
  phone = br_mobile()
  email = email("example.com")
}

persona "kataryna" {
  weight = 1
  llm    = "gemini"
  prompt = <<-EOT
    Você é um cliente com CPF ${data.customer.cpf}.
    EOT
}

persona "edman" {
  weight = 3
  script = ["Olá", data.customer.cpf, data.customer.phone, data.customer.email]
}

persona "dormant" {
  weight = 0
  script = ["never picked"]
}

conversation {
  complete_when = <<EOT
reply contains 'pay.example.com' && persona == 'edman'
EOT
}

stage "only" {
  users      = 0
  spawn_rate = 1
  duration   = "1s"
}
