# Variable values for the live plans (smoke.hcl, load.hcl, simple.hcl) run
# from a machine whose webhook listener the assistant already reaches through
# a reverse proxy, so no ngrok tunnel is opened:
#
#   voyplan apply plans/smoke.hcl -var-file plans/staging.vars.hcl
#
# Only name = value lines, like a Terraform .tfvars: literal values (strings,
# numbers, bools, lists, maps), no variables or functions. They win over
# VOYPLAN_VAR_<name> and the defaults; -var wins over them, and a later
# -var-file over an earlier one.

channel_id = "68e4464832ec9940d9993a12"
public_url = "https://hooks.staging.example.com"
