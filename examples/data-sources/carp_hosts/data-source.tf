# Every host of the cluster that runs the firewall pair.
data "carp_hosts" "fw" {
  datacenter = "dc-lab"
  cluster    = "fw-cluster"
}

output "firewall_hosts" {
  value = { for h in data.carp_hosts.fw.hosts : h.name => h.id }
}
