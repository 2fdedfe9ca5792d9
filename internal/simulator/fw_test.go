package simulator

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func portSec(t *testing.T, s *Server, vm, label string) *types.DVSSecurityPolicy {
	t.Helper()
	ctx := context.Background()
	dvs, key, err := s.NICPort(ctx, vm, label)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.DVPort(ctx, dvs, key)
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := p.Config.Setting.(*types.VMwareDVSPortSetting)
	if !ok || ps.SecurityPolicy == nil {
		t.Fatalf("port %s: setting %T", key, p.Config.Setting)
	}
	return ps.SecurityPolicy
}

func own(b *types.BoolPolicy) string {
	if b == nil || b.Value == nil {
		return "nil"
	}
	if b.Inherited {
		return "inherited"
	}
	if *b.Value {
		return "own:true"
	}
	return "own:false"
}

// A port's own setting: written with ReconfigureDVPort_Task where the port
// group lets ports override, refused (DvsFault) where it does not, kept as
// stored when overrides are disallowed afterwards (see dvportcfg.go).
func TestDVPortOwnSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := FirewallPair()
	sc.VMs[0].NICs[1].PortSecurity = &inventory.Security{AllowPromiscuous: bp(false)}
	s, _ := start(t, sc)

	sec := portSec(t, s, "fw-a", "Network adapter 2")
	if own(sec.AllowPromiscuous) != "own:false" || own(sec.MacChanges) != "inherited" {
		t.Fatalf("built port: promisc %s mac %s", own(sec.AllowPromiscuous), own(sec.MacChanges))
	}
	if sec := portSec(t, s, "fw-b", "Network adapter 2"); own(sec.AllowPromiscuous) != "inherited" {
		t.Fatalf("fw-b's port: promisc %s", own(sec.AllowPromiscuous))
	}

	if err := s.SetNICPortSecurity(ctx, "fw-b", "Network adapter 2", inventory.Security{ForgedTransmits: bp(false)}); err != nil {
		t.Fatal(err)
	}
	if sec := portSec(t, s, "fw-b", "Network adapter 2"); own(sec.ForgedTransmits) != "own:false" || own(sec.AllowPromiscuous) != "inherited" {
		t.Fatalf("written port: forged %s promisc %s", own(sec.ForgedTransmits), own(sec.AllowPromiscuous))
	}
	// back to the port group's
	if err := s.SetNICPortSecurity(ctx, "fw-b", "Network adapter 2", inventory.Security{}); err != nil {
		t.Fatal(err)
	}
	if sec := portSec(t, s, "fw-b", "Network adapter 2"); own(sec.ForgedTransmits) != "inherited" {
		t.Fatalf("reset port: forged %s", own(sec.ForgedTransmits))
	}

	// FW-SYNC does not let ports override
	wantFault(t, s.SetNICPortSecurity(ctx, "fw-a", "Network adapter 3", inventory.Security{MacChanges: bp(false)}), "DvsFault")
	if sec := portSec(t, s, "fw-a", "Network adapter 3"); own(sec.MacChanges) != "inherited" {
		t.Fatalf("refused write changed the port: mac %s", own(sec.MacChanges))
	}

	// disallowing overrides keeps the port's setting as stored
	if err := s.SetPortOverridesAllowed(ctx, "FW-LAN", false); err != nil {
		t.Fatal(err)
	}
	if sec := portSec(t, s, "fw-a", "Network adapter 2"); own(sec.AllowPromiscuous) != "own:false" {
		t.Fatalf("after disallowing: promisc %s", own(sec.AllowPromiscuous))
	}
	wantFault(t, s.SetNICPortSecurity(ctx, "fw-a", "Network adapter 2", inventory.Security{AllowPromiscuous: bp(true)}), "DvsFault")
}

func TestMoveVMAndClusterRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := FirewallPair()
	sc.Datacenters[0].Clusters[0].AntiAffinity = nil
	sc.Datacenters[0].Clusters[0].DRS = false
	s, c := start(t, sc)
	pc := property.DefaultCollector(c.Client)

	cluster := func() *types.ClusterConfigInfoEx {
		var cr mo.ClusterComputeResource
		ref := types.ManagedObjectReference{Type: "ClusterComputeResource", Value: s.ClusterID("fw-cluster")}
		if err := pc.RetrieveOne(ctx, ref, []string{"configurationEx"}, &cr); err != nil {
			t.Fatal(err)
		}
		return cr.ConfigurationEx.(*types.ClusterConfigInfoEx)
	}
	if cfg := cluster(); cfg.DrsConfig.Enabled == nil || *cfg.DrsConfig.Enabled || len(cfg.Rule) != 0 {
		t.Fatalf("built cluster: drs %v rules %d", cfg.DrsConfig.Enabled, len(cfg.Rule))
	}
	if err := s.SetClusterDRS(ctx, "fw-cluster", true); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAntiAffinityRule(ctx, "fw-cluster", "fw-apart", true, "fw-a", "fw-b"); err != nil {
		t.Fatal(err)
	}
	cfg := cluster()
	if !*cfg.DrsConfig.Enabled || len(cfg.Rule) != 1 {
		t.Fatalf("drs %v rules %d", *cfg.DrsConfig.Enabled, len(cfg.Rule))
	}
	r, ok := cfg.Rule[0].(*types.ClusterAntiAffinityRuleSpec)
	if !ok || r.Name != "fw-apart" || r.Enabled == nil || !*r.Enabled || len(r.Vm) != 2 || r.Vm[0].Value != s.VMID("fw-a") {
		t.Fatalf("rule %#v", cfg.Rule[0])
	}

	if err := s.MoveVM(ctx, "fw-b", "esx-1"); err != nil {
		t.Fatal(err)
	}
	var vm mo.VirtualMachine
	if err := pc.RetrieveOne(ctx, types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID("fw-b")}, []string{"runtime.host"}, &vm); err != nil {
		t.Fatal(err)
	}
	if vm.Runtime.Host == nil || vm.Runtime.Host.Value != s.HostID("esx-1") {
		t.Fatalf("fw-b on %v after the move, want %s", vm.Runtime.Host, s.HostID("esx-1"))
	}
}

// portConfigResetAtDisconnect: a port's own setting goes when its NIC
// leaves it, and stays without the flag.
func TestDVPortResetAtDisconnect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := FirewallPair()
	sc.Datacenters[0].DVSwitches[0].PortGroups[0].ResetPortConfigAtDisconnect = true
	for i := range sc.VMs {
		sc.VMs[i].NICs[1].PortSecurity = &inventory.Security{ForgedTransmits: bp(false)}
	}
	s, c := start(t, sc)
	keys := map[string]string{}
	for _, vm := range []string{"fw-a", "fw-b"} {
		_, keys[vm], _ = s.NICPort(ctx, vm, "Network adapter 2")
	}
	// fw-a leaves its port: destroyed
	task, err := object.NewVirtualMachine(c.Client, types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID("fw-a")}).Destroy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	dvs := s.DVSwitchID("dvs-a")
	for vm, want := range map[string]string{"fw-a": "inherited", "fw-b": "own:false"} {
		p, err := s.DVPort(ctx, dvs, keys[vm])
		if err != nil {
			t.Fatal(err)
		}
		if got := own(p.Config.Setting.(*types.VMwareDVSPortSetting).SecurityPolicy.ForgedTransmits); got != want {
			t.Errorf("%s's port %s: forged transmits %s, want %s", vm, keys[vm], got, want)
		}
	}
}
