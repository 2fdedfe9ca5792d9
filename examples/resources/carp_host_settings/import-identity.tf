# Terraform 1.12+ or OpenTofu 1.12+: import by resource identity, the host's
# managed object id in the vCenter of the provider configuration.
import {
  to       = carp_host_settings.fw["esx-01.lab"]
  identity = { host_system_id = "host-21" }
}
