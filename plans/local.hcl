# The offline demo: the built-in simulator, three rules-driven customers,
# about 30 seconds. No key, no network.
#
#   voyplan apply plans/local.hcl

plan "local" {
  description = "Three rules-driven customers against the built-in simulator, offline"
  seed        = 20261124
}

simulator {
  latency     = "150ms" # the assistant's think time per reply
  jitter      = "100ms"
  image_every = 4 # a park photo with every 4th reply
  split_every = 5 # every 5th reply arrives as two callbacks
}

target "voyager" {
  channel_id    = "68e4464832ec9940d9993a12"
  client_domain = "@stw.ai"
}

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

# The three customers of VOYAGER.md §4, played by rules: on each reply the
# first rule whose `when` holds answers with its `say` (which can use the
# user's generated data); a reply no rule matches gets the fallback line, and
# two such replies in a row end the conversation (failed, persona_stuck).
# Free and deterministic, yet they follow the assistant when it asks again.
# Order matters: the order summary mentions the name, phone, e-mail and CPF,
# so the confirmation rule comes first. Match single words: a reply split
# over two callbacks is joined with a newline, which a space in a pattern
# would not match. The Gemini-played versions of the same stories are
# personas/<name>.txt (plans/simple.hcl).
persona "kataryna" { # 11/10/2026, 2 adults + 2 children, accepts the upsell, thanks for images
  weight = 2
  rule { # the order summary, or its question asked again
    when = "reply matches '(?i)confirmar'"
    say  = "Sim, pode confirmar. Pix!"
  }
  rule {
    when = "reply matches '(?i)chamar'"
    say  = "Pode me chamar de ${split(" ", data.customer.name)[0]} 😊"
  }
  rule { # the opt-in
    when = "reply matches '(?i)mensagens'"
    say  = "Sim, pode enviar 😊"
  }
  rule { # full name
    when = "reply matches '(?i)completo'"
    say  = data.customer.name
  }
  rule {
    when = "reply matches '(?i)celular'"
    say  = data.customer.phone
  }
  rule {
    when = "reply matches '(?i)e-mail'"
    say  = data.customer.email
  }
  rule {
    when = "reply matches '(?i)cpf'"
    say  = data.customer.cpf
  }
  rule { # the upsell
    when = "reply matches '(?i)adicionar'"
    say  = "Sim, quero a cabana! 🏖️"
  }
  rule {
    when = "reply matches '(?i)quantos|quantidades'"
    say  = "2 adultos e 2 crianças"
  }
  rule { # asks for another date if 11/10 is closed
    when = "reply matches '(?i)fechado'"
    say  = "Poxa! Pode ser 12/10 então?"
  }
  rule {
    when = "reply matches '(?i)data'"
    say  = "Para o dia 11/10/2026"
  }
  rule { # the menu
    when = "reply matches '(?i)ajudar'"
    say  = "Quero comprar ingressos"
  }
  rule { # an image and nothing to answer
    when = "any(messages, .type == 'media')"
    say  = "Que lindo! 😍"
  }
  fallback = "Desculpa, não entendi 😅 Pode repetir?"
}

persona "talliz" { # where is the park?, Arvorar, 20/11 is closed so 21/11, 4 adults, no upsell
  weight = 1
  rule { # the order summary, or its question asked again
    when = "reply matches '(?i)confirmar'"
    say  = "Sim, Pix"
  }
  rule {
    when = "reply matches '(?i)chamar'"
    say  = "Sou o ${split(" ", data.customer.name)[0]}"
  }
  rule { # the opt-in
    when = "reply matches '(?i)mensagens'"
    say  = "Sim"
  }
  rule { # full name
    when = "reply matches '(?i)completo'"
    say  = data.customer.name
  }
  rule {
    when = "reply matches '(?i)celular'"
    say  = data.customer.phone
  }
  rule {
    when = "reply matches '(?i)e-mail'"
    say  = data.customer.email
  }
  rule {
    when = "reply matches '(?i)cpf'"
    say  = data.customer.cpf
  }
  rule { # where the park is, then the menu
    when = "reply matches 'Rodovia'"
    say  = "Que legal! Quero comprar ingressos do Arvorar 🌳"
  }
  rule {
    when = "reply matches '(?i)adicionar'"
    say  = "Não, obrigado"
  }
  rule {
    when = "reply matches '(?i)quantos|quantidades'"
    say  = "4 adultos"
  }
  rule {
    when = "reply matches '(?i)fechado'"
    say  = "Que pena! Então pode ser 21/11?"
  }
  rule {
    when = "reply matches '(?i)data'"
    say  = "20/11"
  }
  rule {
    when = "reply matches '(?i)ajudar'"
    say  = "Onde fica o parque e o que tem pra fazer?"
  }
  rule {
    when = "any(messages, .type == 'media')"
    say  = "Obrigado pela foto! 👍"
  }
  fallback = "Não entendi, pode repetir?"
}

persona "edman" { # second weekend of November, 1 adult 1 pregnant 2 seniors, no upsell
  weight = 1
  rule { # the order summary, or its question asked again
    when = "reply matches '(?i)confirmar'"
    say  = "Sim, Pix"
  }
  rule {
    when = "reply matches '(?i)chamar'"
    say  = split(" ", data.customer.name)[0]
  }
  rule { # the opt-in
    when = "reply matches '(?i)mensagens'"
    say  = "Sim, pode enviar"
  }
  rule { # full name
    when = "reply matches '(?i)completo'"
    say  = data.customer.name
  }
  rule {
    when = "reply matches '(?i)celular'"
    say  = data.customer.phone
  }
  rule {
    when = "reply matches '(?i)e-mail'"
    say  = data.customer.email
  }
  rule {
    when = "reply matches '(?i)cpf'"
    say  = data.customer.cpf
  }
  rule {
    when = "reply matches '(?i)adicionar'"
    say  = "Não"
  }
  rule {
    when = "reply matches '(?i)quantos|quantidades'"
    say  = "1 adulto, 1 gestante e 2 idosos"
  }
  rule { # the weekend's open days
    when = "reply matches '(?i)dessas'"
    say  = "Pode ser no sábado"
  }
  rule {
    when = "reply matches '(?i)data|fechado'"
    say  = "Tem disponibilidade no segundo fim de semana de novembro?"
  }
  rule {
    when = "reply matches '(?i)ajudar'"
    say  = "Quero comprar ingressos"
  }
  fallback = "Como?"
}

conversation {
  opening                = "Olá"
  max_turns              = 20
  reply_timeout          = "10s"
  reply_settle           = "100ms"
  think_time             = ["200ms", "400ms"] # a fresh wait before each message, uniform in the range
  conversations_per_user = 0                  # repeat until the stages end
  pacing                 = ["500ms", "1500ms"]
  complete_when          = "reply matches 'https://pay[.]smarttalks[.]ai/[0-9a-f]{24}'"
}

stage "ramp" {
  users      = 6
  spawn_rate = 2
  duration   = "10s"
}

stage "hold" {
  users      = 6
  spawn_rate = 2
  duration   = "20s"
}

threshold "success" {
  check = "conversations.success_rate >= 0.95"
}

threshold "reply_p95" {
  check = "reply.p95 < duration('2s')"
}

threshold "no_send_errors" {
  check = "send.error_rate == 0"
}
