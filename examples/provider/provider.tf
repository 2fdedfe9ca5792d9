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
}

variable "vsphere_password" {
  type      = string
  sensitive = true
}
