package acctest

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

// Out-of-band changes to distributed switches and port groups (the
// simulator's oob_dv.go), each failing the test on error.

// AddLAG adds a link aggregation group to a switch built with LAGs.
func (o *OOB) AddLAG(dvs string, lag inventory.LAG) {
	o.t.Helper()
	o.check("adding LAG "+lag.Name, o.sim.AddLAG(o.t.Context(), dvs, lag))
}

// SetDVPortGroupTeaming sets a DV port group's uplink order and, when lb
// is not empty, its load balancing.
func (o *OOB) SetDVPortGroupTeaming(pg string, active, standby []string, lb string) {
	o.t.Helper()
	o.check("writing the teaming of "+pg, o.sim.SetDVPortGroupTeaming(o.t.Context(), pg, active, standby, lb))
}

// SetDVPortGroupVLAN sets a DV port group's VLAN spec.
func (o *OOB) SetDVPortGroupVLAN(pg string, v inventory.VLAN) {
	o.t.Helper()
	o.check("writing the VLAN of "+pg, o.sim.SetDVPortGroupVLAN(o.t.Context(), pg, v))
}

// SetDVPortGroupMacLearning sets a DV port group's own MAC learning policy.
func (o *OOB) SetDVPortGroupMacLearning(pg string, ml inventory.MacLearning) {
	o.t.Helper()
	o.check("writing the MAC learning of "+pg, o.sim.SetDVPortGroupMacLearning(o.t.Context(), pg, ml))
}

// SetDVPortGroupPolicies writes a DV port group's securityPolicy (legacy)
// and macManagementPolicy (mac) as given, as a tool that writes both would.
func (o *OOB) SetDVPortGroupPolicies(pg string, legacy, mac inventory.Security) {
	o.t.Helper()
	o.check("writing the policies of "+pg, o.sim.SetDVPortGroupPolicies(o.t.Context(), pg, legacy, mac))
}

// SetNICPortPolicies gives the port of a VM's NIC its own securityPolicy
// and macManagementPolicy, as given.
func (o *OOB) SetNICPortPolicies(vm, label string, legacy, mac inventory.Security) {
	o.t.Helper()
	o.check("writing the policies of the port of "+vm, o.sim.SetNICPortPolicies(o.t.Context(), vm, label, legacy, mac))
}
