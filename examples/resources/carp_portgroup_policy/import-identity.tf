# Terraform 1.12+ or OpenTofu 1.12+: import by resource identity. A standard
# port group: its host's managed object id and its name.
import {
  to       = carp_portgroup_policy.wan
  identity = { host_system_id = "host-21", portgroup = "FW-WAN" }
}

# A distributed port group: its managed object id alone.
import {
  to       = carp_portgroup_policy.lan
  identity = { distributed_portgroup_id = "dvportgroup-42" }
}
