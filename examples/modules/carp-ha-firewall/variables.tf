variable "firewall_vms" {
  description = "The firewall VMs by inventory name. When set, the hosts, port groups and DV port groups are derived from them (carp_firewalls) and cluster, host_system_ids, portgroups, distributed_portgroup_ids and firewall_vm_ids are not used."
  type        = list(string)
  default     = []
}

variable "datacenter" {
  description = "Datacenter of the cluster, or of the firewall VMs (optional: narrows the lookup)."
  type        = string
  default     = null
}

variable "cluster" {
  description = "Cluster whose hosts run the firewall pair. Set this or host_system_ids."
  type        = string
  default     = null
}

variable "host_system_ids" {
  description = "Host morefs (host-21, ...) instead of a cluster."
  type        = list(string)
  default     = []
}

variable "portgroups" {
  description = "Names of the standard port groups of the firewall interfaces. Each is made CARP-safe on every host that has it."
  type        = list(string)
  default     = []
}

variable "distributed_portgroup_ids" {
  description = "Distributed port groups (dvportgroup-42, ...) of the firewall interfaces."
  type        = list(string)
  default     = []
}

variable "firewall_vm_ids" {
  description = "The firewall VMs (vm-17, ...), for the audit's CARP008 and CARP012."
  type        = list(string)
  default     = []
}

variable "unicast" {
  description = "Whether the firewalls run unicast CARP (pfSense Plus, OPNsense 24.7+): the audit then reports CARP001-CARP007 as info and CARP020 as an error."
  type        = bool
  default     = false
}

variable "transport" {
  description = "Deprecated: use unicast. CARP transport: multicast or unicast; null follows unicast."
  type        = string
  default     = null
  validation {
    condition     = var.transport == null || contains(["multicast", "unicast"], coalesce(var.transport, "multicast"))
    error_message = "transport is multicast or unicast (or leave it null and set unicast)."
  }
}

variable "vip_mac" {
  description = "How the firewalls source their VIP's frames: \"virtual\" (CARP; VRRP with a virtual MAC: keepalived use_vmac, FRR), which needs promiscuous mode (or MAC learning), MAC changes and forged transmits; or \"interface\" (keepalived without use_vmac), which needs none of them: the module then sets all three to reject on the firewall port groups, and the audit does not ask for them."
  type        = string
  default     = "virtual"
  validation {
    condition     = contains(["virtual", "interface"], var.vip_mac)
    error_message = "vip_mac is \"virtual\" or \"interface\"."
  }
}

variable "vhids" {
  description = "Virtual MACs each firewall NIC adds (CARP VHIDs, VRRP VRIDs on the interface): MAC learning with limit policy drop needs a limit of at least 1 + vhids (CARP019)."
  type        = number
  default     = 1
}

variable "toggle_promiscuous_on_apply" {
  description = "Toggle promiscuous mode on each host's port groups after Net.ReversePathFwdCheckPromisc changes (CARP005)."
  type        = bool
  default     = true
}

variable "toggle_on_apply" {
  description = "Toggle promiscuous mode whenever a port group policy is applied (CARP006, CARP007)."
  type        = bool
  default     = false
}

variable "toggle_triggers" {
  description = "Any change re-toggles every port group, e.g. { mirroring = \"span-ids enabled\" }."
  type        = map(string)
  default     = {}
}

variable "load_balancing" {
  description = "Teaming load balancing for the firewall port groups (loadbalance_ip behind a LAG). null leaves teaming as it is."
  type        = string
  default     = null
}

variable "restore_on_destroy" {
  description = "Put back what was found when the module is destroyed."
  type        = bool
  default     = true
}

variable "allow_port_overrides" {
  description = "Whether the firewall DV port groups let their ports override security and MAC management (CARP015). false makes the port group's policy what every port gets; null leaves the flags as they are."
  type        = bool
  default     = false
}
