package acctest

import (
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// OOB is out-of-band access to a test's simulator: what an administrator
// changes behind Terraform's back, and what a test reads to check a write.
// Every call runs on the test's context and fails the test on error. It is
// the one place tests reach the simulator outside the provider.
type OOB struct {
	t   testing.TB
	sim *simulator.Server
}

// OOB is out-of-band access to this test's simulator.
func (e *Env) OOB() *OOB { return NewOOB(e.T, e.Sim) }

// NewOOB is out-of-band access to a simulator a test started itself.
func NewOOB(t testing.TB, sim *simulator.Server) *OOB { return &OOB{t: t, sim: sim} }

func (o *OOB) check(what string, err error) {
	o.t.Helper()
	if err != nil {
		o.t.Fatalf("out of band: %s: %v", what, err)
	}
}

// PortGroup is a standard port group as its host reports it.
func (o *OOB) PortGroup(host, pg string) types.HostPortGroup {
	o.t.Helper()
	p, err := o.sim.HostPortGroup(o.t.Context(), host, pg)
	o.check("reading port group "+pg, err)
	return p
}

// SetPortGroupSecurity writes a standard port group's security policy (nil
// fields inherit).
func (o *OOB) SetPortGroupSecurity(host, pg string, sec inventory.Security) {
	o.t.Helper()
	o.check("writing port group "+pg, o.sim.SetPortGroupSecurity(o.t.Context(), host, pg, sec))
}

// SetVSwitchPromiscuous sets a standard vSwitch's allowPromiscuous.
func (o *OOB) SetVSwitchPromiscuous(host, vswitch string, allow bool) {
	o.t.Helper()
	o.check("writing vSwitch "+vswitch, o.sim.SetVSwitchPromiscuous(o.t.Context(), host, vswitch, allow))
}

// RemovePortGroup deletes a standard port group.
func (o *OOB) RemovePortGroup(host, pg string) {
	o.t.Helper()
	o.check("removing port group "+pg, o.sim.RemovePortGroup(o.t.Context(), host, pg))
}

// NetworkSystemID is the moref of a host's network system.
func (o *OOB) NetworkSystemID(host string) string {
	o.t.Helper()
	id, err := o.sim.NetworkSystemID(o.t.Context(), host)
	o.check("reading the network system of "+host, err)
	return id
}

// HostOption reads a host advanced option.
func (o *OOB) HostOption(host, key string) any {
	o.t.Helper()
	v, err := o.sim.HostOption(o.t.Context(), host, key)
	o.check("reading "+key, err)
	return v
}

// SetHostOption sets a host advanced option (value typed as declared:
// int64 for long options).
func (o *OOB) SetHostOption(host, key string, value any) {
	o.t.Helper()
	o.check("setting "+key, o.sim.SetHostOption(o.t.Context(), host, key, value))
}

// DestroyHost removes a host (by moref) from the inventory.
func (o *OOB) DestroyHost(id string) {
	o.t.Helper()
	o.check("removing host "+id, o.sim.DestroyHost(o.t.Context(), id))
}

// DVPortGroup returns a DV port group's config and its own default port
// setting.
func (o *OOB) DVPortGroup(name string) (types.DVPortgroupConfigInfo, *types.VMwareDVSPortSetting) {
	o.t.Helper()
	cfg, err := o.sim.DVPortGroupConfig(o.t.Context(), name)
	o.check("reading distributed port group "+name, err)
	s, _ := cfg.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	return cfg, s
}

// SetDVPortGroupPromiscuous writes allowPromiscuous on a DV port group.
func (o *OOB) SetDVPortGroupPromiscuous(name string, allow bool) {
	o.t.Helper()
	o.check("writing distributed port group "+name, o.sim.SetDVPortGroupPromiscuous(o.t.Context(), name, allow))
}

// AddMirrorSession adds a port-mirroring session to a distributed switch.
func (o *OOB) AddMirrorSession(dvs, session string, enabled bool) {
	o.t.Helper()
	_, err := o.sim.AddMirrorSession(o.t.Context(), dvs, session, enabled)
	o.check("adding mirroring session "+session, err)
}

// SetMirrorSessionEnabled enables or disables a mirroring session.
func (o *OOB) SetMirrorSessionEnabled(dvs, session string, enabled bool) {
	o.t.Helper()
	o.check("editing mirroring session "+session, o.sim.SetMirrorSessionEnabled(o.t.Context(), dvs, session, enabled))
}

// RemoveMirrorSessions deletes every mirroring session of a switch.
func (o *OOB) RemoveMirrorSessions(dvs string) {
	o.t.Helper()
	o.check("removing the mirroring sessions of "+dvs, o.sim.RemoveMirrorSessions(o.t.Context(), dvs))
}

// Read takes a snapshot through a vSphere session of its own (logged out
// when the test ends), as the provider would read it.
func (o *OOB) Read(req vsphere.Request) *vsphere.Snapshot {
	o.t.Helper()
	ctx := o.t.Context()
	c, err := vsphere.Connect(ctx, vsphere.Config{Server: o.sim.URL.Host, User: o.sim.User, Password: o.sim.Password, Insecure: true, APITimeout: time.Minute})
	o.check("connecting", err)
	defer func() { _ = c.Logout(ctx) }()
	snap, err := c.Read(ctx, req)
	o.check("reading", err)
	return snap
}

// SetNICPortSecurity gives the DV port of a VM's NIC (by label) its own
// security policy (nil fields inherit); the port group must let ports
// override.
func (o *OOB) SetNICPortSecurity(vm, nic string, sec inventory.Security) {
	o.t.Helper()
	o.check("writing the port of "+vm+" "+nic, o.sim.SetNICPortSecurity(o.t.Context(), vm, nic, sec))
}

// NICPort is the switch moref and port key of a VM's NIC.
func (o *OOB) NICPort(vm, nic string) (dvs, key string) {
	o.t.Helper()
	dvs, key, err := o.sim.NICPort(o.t.Context(), vm, nic)
	o.check("reading the port of "+vm+" "+nic, err)
	return dvs, key
}

// SetPortOverridesAllowed sets whether a DV port group lets its ports
// override security and MAC management.
func (o *OOB) SetPortOverridesAllowed(pg string, allow bool) {
	o.t.Helper()
	o.check("writing the override flags of "+pg, o.sim.SetPortOverridesAllowed(o.t.Context(), pg, allow))
}

// PortOverridesAllowed reports a DV port group's override flags
// (securityPolicyOverrideAllowed, macManagementOverrideAllowed).
func (o *OOB) PortOverridesAllowed(pg string) (security, macManagement bool) {
	o.t.Helper()
	cfg, _ := o.DVPortGroup(pg)
	if p, ok := cfg.Policy.(*types.VMwareDVSPortgroupPolicy); ok {
		return p.SecurityPolicyOverrideAllowed, p.MacManagementOverrideAllowed != nil && *p.MacManagementOverrideAllowed
	}
	return false, false
}

// MoveVM moves a VM to another host, as a vMotion or HA restart does.
func (o *OOB) MoveVM(vm, host string) {
	o.t.Helper()
	o.check("moving "+vm, o.sim.MoveVM(o.t.Context(), vm, host))
}

// DisconnectHost disconnects a host from vCenter (its configuration stays
// as vCenter last saw it).
func (o *OOB) DisconnectHost(host string) {
	o.t.Helper()
	o.check("disconnecting "+host, o.sim.DisconnectHost(o.t.Context(), host))
}

// SetClusterDRS turns DRS on or off.
func (o *OOB) SetClusterDRS(cluster string, enabled bool) {
	o.t.Helper()
	o.check("DRS of "+cluster, o.sim.SetClusterDRS(o.t.Context(), cluster, enabled))
}

// AddAntiAffinityRule adds a DRS VM anti-affinity rule naming the VMs.
func (o *OOB) AddAntiAffinityRule(cluster, rule string, enabled bool, vms ...string) {
	o.t.Helper()
	o.check("rule "+rule, o.sim.AddAntiAffinityRule(o.t.Context(), cluster, rule, enabled, vms...))
}

// SetPortGroupVLAN sets a standard port group's VLAN.
func (o *OOB) SetPortGroupVLAN(host, pg string, vlan int32) {
	o.t.Helper()
	o.check("VLAN of "+pg, o.sim.SetPortGroupVLAN(o.t.Context(), host, pg, vlan))
}
