# The firewall port groups whose promiscuous mode must be toggled after a
# switch upgrade or when port mirroring is enabled: invoke it by hand with
#   terraform apply -invoke=action.carp_toggle_promiscuous.fw
action "carp_toggle_promiscuous" "fw" {
  config {
    portgroups = [
      { host_system_id = "host-21", portgroup = "FW-WAN" },
      { host_system_id = "host-22", portgroup = "FW-WAN" },
    ]
    distributed_portgroup_ids = ["dvportgroup-42"]
  }
}
