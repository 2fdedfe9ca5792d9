# Start from the firewall pair: every host it can run on, and every port
# group and DV port group its NICs use.
data "carp_firewalls" "pair" {
  names      = ["fw-a", "fw-b"]
  datacenter = "dc-lab"
}

# The standard port groups, made CARP-safe on every host that has them.
resource "carp_portgroup_policy" "standard" {
  for_each = {
    for p in data.carp_firewalls.pair.standard_portgroups : "${p.host_system_id}:${p.portgroup}" => p
  }
  host_system_id = each.value.host_system_id
  portgroup      = each.value.portgroup
}

# The DV port groups, with per-port overrides off (CARP015).
resource "carp_portgroup_policy" "distributed" {
  for_each                 = toset(data.carp_firewalls.pair.distributed_portgroup_ids)
  distributed_portgroup_id = each.value
  allow_port_overrides     = false
}

# The audit follows the same VMs: their ports, the hosts they can move to
# (CARP016) and their separation (CARP017).
data "carp_audit" "pair" {
  firewall_vm_ids = data.carp_firewalls.pair.vms[*].id
  depends_on      = [carp_portgroup_policy.standard, carp_portgroup_policy.distributed]
}

# Two pairs in one audit: each judged apart on its own (CARP017), never
# two firewalls of different pairs.
data "carp_firewalls" "site" {
  pairs = [["fw-a", "fw-b"], ["edge-1", "edge-2"]]
}

data "carp_audit" "site" {
  firewall_vm_ids = data.carp_firewalls.site.vms[*].id
  pairs           = data.carp_firewalls.site.pair_vm_ids
}
