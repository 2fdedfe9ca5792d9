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
