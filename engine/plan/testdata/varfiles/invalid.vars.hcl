# Loaded with testdata/valid/variables.hcl: one mistake a line, each marked
# with the diagnostic it gives, as in testdata/invalid.
channel_id = "c"
user       = 3          # ERROR: Undeclared variable
users      = "many"     # ERROR: Invalid value for variable
abort      = [true]     # ERROR: Invalid value for variable
spawn_rate = null       # ERROR: Invalid value for variable
label      = var.other  # ERROR: Variables not allowed
mode       = upper("x") # ERROR: Undeclared variable

stage "smoke" { # ERROR: Unexpected block in variable file
  users = 1
}
