terraform {
  required_providers {
    carp = {
      source = "carpsafe/carp"
    }
  }
}

# Every argument falls back to the vsphere provider's environment variables
# (VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD, ...), so one environment
# serves both providers.
provider "carp" {
  vsphere_server = "vcenter.lab.example"
  user           = "carp-automation@vsphere.local"
  password       = var.vsphere_password

  # Pin the certificate instead of turning verification off:
  #   govc about.cert -thumbprint
  thumbprint = "9B:0A:5C:...:E4"

  # Optional, read-only: NSX Manager, to judge firewall NICs on NSX segments
  # (or NSXT_MANAGER_HOST, NSXT_USERNAME, NSXT_PASSWORD, as for the nsxt provider).
  # nsx_manager    = "nsx.lab.example"
  # nsx_user       = "carp-audit"
  # nsx_password   = var.nsx_password
  # nsx_thumbprint = "5D:1E:...:0C"
}

variable "vsphere_password" {
  type      = string
  sensitive = true
}
