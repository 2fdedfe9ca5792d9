# A port group of a standard vSwitch: <host moref>:<port group name>
terraform import 'carp_portgroup_policy.wan["host-21"]' host-21:FW-WAN

# A distributed port group: its moref
terraform import carp_portgroup_policy.lan dvportgroup-42
