# Every host of the cluster that runs the pfSense/OPNsense pair.
data "carp_hosts" "fw" {
  datacenter = "dc-lab"
  cluster    = "fw-cluster"
}

# Net.ReversePathFwdCheckPromisc = 1 on each of them, so that a vSwitch
# teaming two uplinks does not send CARP its own advertisements back.
# The new value only applies to ports opened afterwards, so promiscuous
# mode is toggled off and on once on each firewall port group after the
# change.
resource "carp_host_settings" "fw" {
  for_each = { for h in data.carp_hosts.fw.hosts : h.name => h.id }

  host_system_id                 = each.value
  reverse_path_fwd_check_promisc = true
  toggle_promiscuous_on_apply    = true

  # Optional: further advanced options, typed as the host declares them.
  advanced_options = {
    "Net.BlockGuestBPDU" = "1"
  }

  # Destroy puts back the values found before the first change (default).
  restore_on_destroy = true
}

output "toggled" {
  value = { for name, s in carp_host_settings.fw : name => s.toggled_portgroups }
}
