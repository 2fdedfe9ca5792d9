# After Net.ReversePathFwdCheckPromisc changed on the firewall hosts
# (CARP005): every port group and vSwitch of those hosts that accepts
# promiscuous mode, the set carp_host_settings toggles.
data "carp_hosts" "fw" {
  cluster = "fw-cluster"
}

action "carp_toggle_promiscuous" "hosts" {
  config {
    host_system_ids = data.carp_hosts.fw.hosts[*].id
  }
}
