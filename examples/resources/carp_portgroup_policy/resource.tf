data "carp_hosts" "fw" {
  cluster = "fw-cluster"
}

# The WAN port group of the firewalls on a standard vSwitch, on every host
# of the cluster: accept promiscuous mode, MAC changes and forged transmits
# (the defaults), and team the aggregated uplinks with IP hash.
resource "carp_portgroup_policy" "wan" {
  for_each = toset(data.carp_hosts.fw.hosts[*].id)

  host_system_id = each.value
  portgroup      = "FW-WAN"

  teaming {
    load_balancing = "loadbalance_ip"
    active_uplinks = ["vmnic2", "vmnic3"]
  }
}

# The LAN port group on a distributed switch 7.0: MAC learning instead of
# promiscuous mode. The switch also mirrors traffic to an IDS, which breaks
# promiscuous mode until it is toggled, so toggle on every apply and
# whenever the mirroring setup changes.
resource "carp_portgroup_policy" "lan" {
  distributed_portgroup_id = "dvportgroup-42"

  allow_promiscuous = false
  mac_learning {
    enabled = true
    limit   = 64
  }

  teaming {
    active_uplinks  = ["uplink1"]
    standby_uplinks = ["uplink2"]
  }

  toggle_on_apply = true
  toggle_triggers = {
    mirror_sessions = "span-ids"
  }
}
