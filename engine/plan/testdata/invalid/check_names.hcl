target "assistant" {
  url = "http://localhost:8080/"
}

persona "kataryna" {
  script = ["Olá"]
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}

threshold "misspelt_persona" {
  check = "personas[\"katarina\"].failed == 0" # ERROR: Invalid threshold check
}

threshold "persona_as_member" {
  check = "personas.edmann.success_rate >= 0.9" # ERROR: Invalid threshold check
}

threshold "persona_field" {
  check = "personas['edman'].sucess_rate >= 0.9" # ERROR: Invalid threshold check
}

threshold "percentile" {
  check = "reply.p97 < duration('2s')" # ERROR: Invalid threshold check
}

threshold "on_no_data" {
  check      = "conversations.success_rate >= 0.9"
  on_no_data = "skip" # ERROR: Value out of range
}
