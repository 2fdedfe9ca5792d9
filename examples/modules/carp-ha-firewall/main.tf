# Makes every firewall port group of a cluster CARP-safe, sets the host
# option CARP needs on every host, and audits the result.

data "carp_hosts" "cluster" {
  count      = var.cluster != null ? 1 : 0
  datacenter = var.datacenter
  cluster    = var.cluster
}

locals {
  host_ids = var.cluster != null ? data.carp_hosts.cluster[0].hosts[*].id : var.host_system_ids

  # One policy per host and port group name.
  standard = {
    for pair in setproduct(local.host_ids, var.portgroups) :
    "${pair[0]}:${pair[1]}" => { host = pair[0], portgroup = pair[1] }
  }
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

  host_system_id     = each.value.host
  portgroup          = each.value.portgroup
  toggle_on_apply    = var.toggle_on_apply
  toggle_triggers    = var.toggle_triggers
  restore_on_destroy = var.restore_on_destroy

  dynamic "teaming" {
    for_each = var.load_balancing == null ? [] : [var.load_balancing]
    content {
      load_balancing = teaming.value
    }
  }

  # The host option first, so the port group plan sees it set.
  depends_on = [carp_host_settings.host]
}

resource "carp_portgroup_policy" "distributed" {
  for_each = toset(var.distributed_portgroup_ids)

  distributed_portgroup_id = each.value
  toggle_on_apply          = var.toggle_on_apply
  toggle_triggers          = var.toggle_triggers
  restore_on_destroy       = var.restore_on_destroy

  dynamic "teaming" {
    for_each = var.load_balancing == null ? [] : [var.load_balancing]
    content {
      load_balancing = teaming.value
    }
  }
}

# Read after the changes above, so it judges the result.
data "carp_audit" "this" {
  host_system_ids           = local.host_ids
  portgroups                = var.portgroups
  distributed_portgroup_ids = var.distributed_portgroup_ids
  firewall_vm_ids           = var.firewall_vm_ids
  transport                 = var.transport

  depends_on = [carp_host_settings.host, carp_portgroup_policy.standard, carp_portgroup_policy.distributed]
}

check "carp_ready" {
  assert {
    condition     = data.carp_audit.this.ready
    error_message = "The firewall networking is not CARP-ready:\n${join("\n", [for f in data.carp_audit.this.findings : f.message if f.severity == "error"])}"
  }
}
