# Loaded with testdata/valid/variables.hcl (TestVarFile*).
channel_id = "file-channel"
users      = 3
label      = "from-first"
