package simulator

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The tests of issue 13: one behaviour each, where stock vcsim answers
// differently from ESXi/vCenter. The source of each is in its comment.
// Standard switches here, distributed switches and VMs in
// fidelity_dv_test.go.

// Item 1. HostVirtualSwitchSpec.policy (vSphere API reference): "If the
// policy property is not set and you are updating a virtual switch, then the
// policy will be unchanged"; on create a default policy is used.
func TestVirtualSwitchWithoutPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")
	if err := s.SetVSwitchSecurity(ctx, "h1", "vSwitch0", secAll(true)); err != nil {
		t.Fatal(err)
	}
	spec := findVS(netInfo(t, c, ns), "vSwitch0").Spec
	spec.Policy = nil
	spec.NumPorts = 256
	if err := ns.UpdateVirtualSwitch(ctx, "vSwitch0", spec); err != nil {
		t.Fatal(err)
	}
	vs := findVS(netInfo(t, c, ns), "vSwitch0")
	if vs.Spec.NumPorts != 256 || vs.Spec.Policy == nil || !*vs.Spec.Policy.Security.AllowPromiscuous {
		t.Fatalf("policy not kept: numPorts=%d policy=%+v", vs.Spec.NumPorts, vs.Spec.Policy)
	}
	if err := ns.AddVirtualSwitch(ctx, "vSwitchN", &types.HostVirtualSwitchSpec{NumPorts: 64}); err != nil {
		t.Fatal(err)
	}
	if vs := findVS(netInfo(t, c, ns), "vSwitchN"); vs == nil || vs.Spec.Policy == nil || vs.Spec.Policy.Security == nil {
		t.Fatalf("no default policy: %+v", vs)
	}
}

// Item 2. ESXi rejects a NIC order naming a NIC the vSwitch does not bridge,
// and an unknown load-balancing policy, with InvalidArgument ("A specified
// parameter was not correct", community.vmware#1432); policies per
// HostNicTeamingPolicy.policy.
func TestTeamingValidated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")
	before := findVS(netInfo(t, c, ns), "vSwitch0").Spec
	for name, team := range map[string]*types.HostNicTeamingPolicy{
		"unbridged NIC":  {NicOrder: &types.HostNicOrderPolicy{ActiveNic: []string{"vmnic0"}, StandbyNic: []string{"vmnic3"}}},
		"unknown policy": {Policy: "loadbalance_roundrobin"},
	} {
		spec := before
		p := *spec.Policy
		p.NicTeaming = team
		spec.Policy = &p
		t.Run(name, func(t *testing.T) {
			wantFault(t, ns.UpdateVirtualSwitch(ctx, "vSwitch0", spec), "InvalidArgument")
			after := findVS(netInfo(t, c, ns), "vSwitch0").Spec.Policy.NicTeaming
			if after.Policy != "loadbalance_srcid" || len(after.NicOrder.ActiveNic) != 2 || len(after.NicOrder.StandbyNic) != 0 {
				t.Fatalf("teaming changed by a rejected call: %+v %+v", after, after.NicOrder)
			}
		})
	}
	pg := findPG(netInfo(t, c, ns), "PG-A").Spec
	pg.Policy.NicTeaming = &types.HostNicTeamingPolicy{NicOrder: &types.HostNicOrderPolicy{ActiveNic: []string{"vmnic2"}}}
	wantFault(t, ns.UpdatePortGroup(ctx, "PG-A", pg), "InvalidArgument")
	pg.Policy.NicTeaming = &types.HostNicTeamingPolicy{Policy: "failover_explicit", NicOrder: &types.HostNicOrderPolicy{ActiveNic: []string{"vmnic1"}, StandbyNic: []string{"vmnic0"}}}
	if err := ns.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
		t.Fatal(err)
	}
	if got := findPG(netInfo(t, c, ns), "PG-A").ComputedPolicy.NicTeaming; got.Policy != "failover_explicit" || got.NicOrder.ActiveNic[0] != "vmnic1" {
		t.Fatalf("valid teaming not stored: %+v", got)
	}
}

// Item 4. An inheriting standard port group reports its nested policy
// objects present with every field unset ("VM Network" in govmomi
// simulator/esx/host_config_info.go).
func TestInheritingPortGroupShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")
	if err := ns.AddPortGroup(ctx, types.HostPortGroupSpec{Name: "PG-I", VswitchName: "vSwitch0"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"PG-I", "PG-A"} {
		p := findPG(netInfo(t, c, ns), name).Spec.Policy
		if p.Security == nil || p.NicTeaming == nil || p.NicTeaming.FailureCriteria == nil || p.OffloadPolicy == nil || p.ShapingPolicy == nil {
			t.Fatalf("%s: nested policy objects missing: %+v", name, p)
		}
		if p.Security.AllowPromiscuous != nil || p.Security.MacChanges != nil || p.Security.ForgedTransmits != nil ||
			p.NicTeaming.Policy != "" || p.NicTeaming.NicOrder != nil || p.NicTeaming.FailureCriteria.CheckBeacon != nil {
			t.Fatalf("%s: inheriting fields set: %+v %+v", name, p.Security, p.NicTeaming)
		}
	}
}

// Item 5. A new standard vSwitch without a security policy gets the ESXi
// defaults of vSwitch0 in govmomi simulator/esx/host_config_info.go:
// promiscuous Reject, MAC changes and forged transmits Accept (the
// reference gives no values; see switchPolicyDefaults).
func TestNewVSwitchDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")
	if err := ns.AddVirtualSwitch(ctx, "vSwitch9", nil); err != nil {
		t.Fatal(err)
	}
	p := findVS(netInfo(t, c, ns), "vSwitch9").Spec.Policy
	if *p.Security.AllowPromiscuous || !*p.Security.MacChanges || !*p.Security.ForgedTransmits {
		t.Fatalf("security %s %s %s", deref(p.Security.AllowPromiscuous), deref(p.Security.MacChanges), deref(p.Security.ForgedTransmits))
	}
	if p.NicTeaming.Policy != "loadbalance_srcid" || !*p.NicTeaming.NotifySwitches || *p.NicTeaming.RollingOrder || p.NicTeaming.FailureCriteria.CheckSpeed != "minimum" {
		t.Fatalf("teaming %+v", p.NicTeaming)
	}
}

func secAll(b bool) inventory.Security {
	return inventory.Security{AllowPromiscuous: bp(b), MacChanges: bp(b), ForgedTransmits: bp(b)}
}
