# The demo: an HA firewall pair on a two-host cluster with every pitfall of
# the catalog (see internal/simulator/demo.go), made CARP-ready by the
# carp-ha-firewall module. `make demo` runs it against the simulator.

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

variable "fw_legacy_dvpg_id" {
  description = "DV port group FW-LEGACY on dvs-legacy (version 5.0.0)."
  type        = string
}

variable "fw_core_dvpg_id" {
  description = "DV port group FW-CORE on dvs-core (7.0.0, with a mirroring session)."
  type        = string
}

variable "firewall_vm_ids" {
  description = "The firewall pair, fw-a and fw-b."
  type        = list(string)
}

data "carp_hosts" "lab" {
  datacenter = "dc-lab"
  cluster    = "fw-cluster"
}

locals {
  esx02 = one([for h in data.carp_hosts.lab.hosts : h.id if h.name == "esx-02.lab"])
}

module "firewall" {
  source = "../modules/carp-ha-firewall"

  datacenter                = "dc-lab"
  cluster                   = "fw-cluster"
  portgroups                = ["FW-WAN", "FW-LAN", "FW-SYNC", "FW-DMZ"]
  distributed_portgroup_ids = [var.fw_legacy_dvpg_id, var.fw_core_dvpg_id]
  firewall_vm_ids           = var.firewall_vm_ids

  # dvs-legacy may be an upgraded 4.0 switch (CARP006) and dvs-core mirrors
  # ports (CARP007): both need promiscuous mode toggled.
  toggle_on_apply = true
  toggle_triggers = { mirroring = "span-ids" }
  # vmnic0 and vmnic1 are a LAG on the physical switch (CARP010).
  load_balancing = "loadbalance_ip"
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
  description = "What the audit still reports for the firewall pair (warnings and info)."
  value       = [for f in module.firewall.findings : f.message]
}
