# Makes every firewall port group of a cluster CARP-safe, sets the host
# option CARP needs on every host, and audits the result. Given the firewall
# VMs by name, it derives the hosts (every host of their clusters), the
# standard port groups and the DV port groups from their NICs.

data "carp_firewalls" "pair" {
  count      = length(var.firewall_vms) > 0 ? 1 : 0
  names      = var.firewall_vms
  datacenter = var.datacenter
}

data "carp_hosts" "cluster" {
  count      = length(var.firewall_vms) == 0 && var.cluster != null ? 1 : 0
  datacenter = var.datacenter
  cluster    = var.cluster
}

locals {
  by_names = length(var.firewall_vms) > 0
  fw       = local.by_names ? data.carp_firewalls.pair[0] : null

  host_ids = (local.by_names ? local.fw.host_system_ids :
  var.cluster != null ? data.carp_hosts.cluster[0].hosts[*].id : var.host_system_ids)

  # One policy per host and port group name: the firewalls' own port groups
  # on every host that has them, or every name given on every host.
  standard = local.by_names ? {
    for p in local.fw.standard_portgroups :
    "${p.host_system_id}:${p.portgroup}" => { host = p.host_system_id, portgroup = p.portgroup }
    } : {
    for pair in setproduct(local.host_ids, var.portgroups) :
    "${pair[0]}:${pair[1]}" => { host = pair[0], portgroup = pair[1] }
  }
  distributed_ids = local.by_names ? local.fw.distributed_portgroup_ids : var.distributed_portgroup_ids
  vm_ids          = local.by_names ? local.fw.vms[*].id : var.firewall_vm_ids

  # keepalived without use_vmac answers from the NIC's own MAC: the port
  # groups need none of the three settings, so they are closed.
  open    = var.vip_mac == "virtual"
  unicast = var.transport == null ? var.unicast : var.transport == "unicast"
}

resource "carp_host_settings" "host" {
  for_each = toset(local.host_ids)

  host_system_id                 = each.value
  reverse_path_fwd_check_promisc = true
  toggle_promiscuous_on_apply    = var.toggle_promiscuous_on_apply
  restore_on_destroy             = var.restore_on_destroy
}

resource "carp_portgroup_policy" "standard" {
  for_each = local.standard

  host_system_id         = each.value.host
  portgroup              = each.value.portgroup
  allow_promiscuous      = local.open
  allow_mac_changes      = local.open
  allow_forged_transmits = local.open
  vip_mac                = var.vip_mac
  vhids                  = var.vhids
  toggle_on_apply        = var.toggle_on_apply
  toggle_triggers        = var.toggle_triggers
  restore_on_destroy     = var.restore_on_destroy

  dynamic "teaming" {
    for_each = var.load_balancing == null ? [] : [var.load_balancing]
    content {
      load_balancing = teaming.value
    }
  }

  # The host option first (CARP005), so the port group plan judges it set
  # and does not warn CARP004.
  depends_on = [carp_host_settings.host]
}

resource "carp_portgroup_policy" "distributed" {
  for_each = toset(local.distributed_ids)

  distributed_portgroup_id = each.value
  allow_promiscuous        = local.open
  allow_mac_changes        = local.open
  allow_forged_transmits   = local.open
  vip_mac                  = var.vip_mac
  vhids                    = var.vhids
  allow_port_overrides     = var.allow_port_overrides
  toggle_on_apply          = var.toggle_on_apply
  toggle_triggers          = var.toggle_triggers
  restore_on_destroy       = var.restore_on_destroy

  dynamic "teaming" {
    for_each = var.load_balancing == null ? [] : [var.load_balancing]
    content {
      load_balancing = teaming.value
    }
  }

  # The host option first (CARP005), so the port group plan judges it set
  # and does not warn CARP004.
  depends_on = [carp_host_settings.host]
}

# Read after the changes above, so it judges the result. Given the names,
# the audit derives the same footprint from the firewalls themselves.
data "carp_audit" "this" {
  host_system_ids           = local.by_names ? null : local.host_ids
  portgroups                = local.by_names ? null : var.portgroups
  distributed_portgroup_ids = local.by_names ? null : var.distributed_portgroup_ids
  firewall_vm_ids           = local.vm_ids
  unicast                   = local.unicast
  vip_mac                   = var.vip_mac
  vhids                     = var.vhids
  # The module's firewalls are one HA group (a pair, or a VRRP group).
  pairs = length(local.vm_ids) >= 2 ? [local.vm_ids] : null

  depends_on = [carp_host_settings.host, carp_portgroup_policy.standard, carp_portgroup_policy.distributed]
}

check "carp_ready" {
  assert {
    condition     = data.carp_audit.this.ready
    error_message = "The firewall networking is not CARP-ready:\n${join("\n", [for f in data.carp_audit.this.findings : f.message if f.severity == "error"])}"
  }
}
