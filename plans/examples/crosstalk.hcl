# Cross-talk: an assistant that mixes sessions under load sends one
# customer's name, CPF, phone, e-mail or payment link to another. Every
# reply is checked against every other virtual customer's generated data
# and the payment links already sent to other conversations; here the
# built-in simulator is told to do it to 3% of its replies
# (crosstalk_rate), and the run catches each one. No key, no network,
# about 15 seconds.
#
#   voyplan apply plans/examples/crosstalk.hcl

plan "example-crosstalk" {
  description = "60 customers against a simulator that leaks another conversation's name or payment link"
  seed        = 20261124
}

simulator {
  latency        = "50ms"
  crosstalk_rate = 0.03 # of replies, once the customer gave a full name
}

target "voyager" {}

webhook {
  listen = "127.0.0.1:0"
  tunnel = "none"
}

data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}

# The Kataryna story, and a thank-you after the payment link: the
# conversation completes on the assistant's closing line.
persona "kataryna" {
  script = concat(split("\n", trimspace(templatefile("../../personas/kataryna.script", { customer = data.customer }))), ["Obrigada!"])
}

conversation {
  think_time    = "200ms"
  reply_timeout = "30s"
  complete_when = "reply matches 'finalizado'"
}

stage "all" {
  users      = 60
  spawn_rate = 20
  duration   = "1m"
}

threshold "no_crosstalk" {
  check = "conversations.crosstalk == 0"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}
