# The toggle follows every change of the distributed switch (an upgrade of
# its version, a port-mirroring session added or enabled): the vsphere
# provider's switch triggers the action after each update.
resource "vsphere_distributed_virtual_switch" "fw" {
  name          = "dvs-fw"
  datacenter_id = data.vsphere_datacenter.dc.id
  version       = "8.0.0"

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.carp_toggle_promiscuous.fw]
    }
  }
}
