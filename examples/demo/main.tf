# The demo: an HA firewall pair on a two-host cluster with every pitfall of
# the catalog (see internal/simulator/demo.go), given by name to the
# carp-ha-firewall module, which makes what the provider can fix CARP-ready
# and reports the rest (CARP016: a port group on another VLAN on the other
# host; CARP017: no anti-affinity rule) with what to do. `make demo` runs it
# against the simulator.

terraform {
  required_providers {
    carp = {
      source = "carpsafe/carp"
    }
  }
}

# Connection from VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD and
# VSPHERE_ALLOW_UNVERIFIED_SSL, as `make sim` prints them.
provider "carp" {}

data "carp_hosts" "lab" {
  datacenter = "dc-lab"
  cluster    = "fw-cluster"
}

locals {
  esx02 = one([for h in data.carp_hosts.lab.hosts : h.id if h.name == "esx-02.lab"])
}

# Only the firewalls' names: the module follows their NICs to every host of
# their cluster, every port group and DV port group they use, and audits
# their ports, the hosts they can move to and their separation.
module "firewall" {
  source = "../modules/carp-ha-firewall"

  datacenter   = "dc-lab"
  firewall_vms = ["fw-a", "fw-b"]

  # dvs-core mirrors ports (CARP007): promiscuous mode needs a toggle.
  toggle_on_apply = true
  toggle_triggers = { mirroring = "span-ids" }
  # vmnic0 and vmnic1 are a LAG on the physical switch (CARP010).
  load_balancing = "loadbalance_ip"
  # fw-a's FW-CORE port overrides its port group (CARP015): stop that.
  allow_port_overrides = false
}

# The core switch's FW-HA learns MACs but drops frames from new ones past a
# limit of one per port: after a failover the VIP's frames are dropped
# (CARP019, in the audit before). make demo passes its id.
variable "ha_portgroup_id" {
  description = "The FW-HA distributed port group (dvportgroup-NN); null leaves it out."
  type        = string
  default     = null
}

resource "carp_portgroup_policy" "ha" {
  count                    = var.ha_portgroup_id == null ? 0 : 1
  distributed_portgroup_id = var.ha_portgroup_id
  allow_promiscuous        = false # MAC learning gives CARP what it needs

  mac_learning {
    enabled      = true
    limit        = 64 # the NIC's own MAC and one per VHID, with room
    limit_policy = "drop"
  }
}

# A lab port group on a vSwitch that accepts promiscuous mode for every
# port group: the plan warns about it (CARP009).
resource "carp_portgroup_policy" "lab_shared" {
  host_system_id = local.esx02
  portgroup      = "Lab-Shared"
}

output "ready" {
  description = "The firewall pair's networking is CARP-ready."
  value       = module.firewall.ready
}

output "remaining" {
  description = "What the audit still reports for the firewall pair, with what to do."
  value       = [for f in module.firewall.findings : f.message]
}

output "firewall_vm_ids" {
  description = "The firewall VMs the module found by name."
  value       = module.firewall.firewall_vm_ids
}
