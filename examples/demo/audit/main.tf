# The whole lab audited: every finding of the catalog with its code, the
# object and the fix. `make demo` applies it before and after the change
# (a data-only configuration: apply just reads and prints).

terraform {
  required_providers {
    carp = {
      source = "carpsafe/carp"
    }
  }
}

provider "carp" {}

variable "distributed_portgroup_ids" {
  type = list(string)
}

variable "firewall_vm_ids" {
  type = list(string)
}

variable "pairs" {
  description = "The HA groups among firewall_vm_ids (fw-old is a retired node, no one's pair)."
  type        = list(list(string))
  default     = null
}

variable "portgroups" {
  type    = list(string)
  default = ["FW-WAN", "FW-LAN", "FW-SYNC", "FW-DMZ"]
}

data "carp_hosts" "lab" {
  datacenter = "dc-lab"
  cluster    = "fw-cluster"
}

data "carp_audit" "lab" {
  host_system_ids           = data.carp_hosts.lab.hosts[*].id
  portgroups                = var.portgroups
  distributed_portgroup_ids = var.distributed_portgroup_ids
  firewall_vm_ids           = var.firewall_vm_ids
  pairs                     = var.pairs
}

output "ready" {
  value = data.carp_audit.lab.ready
}

output "counts" {
  value = data.carp_audit.lab.counts
}

output "findings" {
  value = [for f in data.carp_audit.lab.findings : "${f.severity}: ${f.message}"]
}
