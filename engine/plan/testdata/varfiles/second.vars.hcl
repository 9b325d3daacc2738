# Loaded after first.vars.hcl: its label wins.
label = "from-second"
abort = true
