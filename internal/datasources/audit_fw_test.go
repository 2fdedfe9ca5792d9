package datasources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// fwAuditConfig audits the pair of simulator.FirewallPair from the
// firewall VMs alone.
func fwAuditConfig(e *acctest.Env) string {
	return e.Config(fmt.Sprintf(`data "carp_audit" "fw" { firewall_vm_ids = [%q, %q] }`, e.Sim.VMID("fw-a"), e.Sim.VMID("fw-b")))
}

// expectFollow checks the audit's CARP015-CARP017 findings ("CODE
// object_id severity", in order) and ready.
func expectFollow(ready bool, want ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		got, err := findingsOf(s, "data.carp_audit.fw")
		if err != nil {
			return err
		}
		var follow []string
		for _, f := range got {
			if f[:7] >= "CARP015" {
				follow = append(follow, f)
			}
		}
		if strings.Join(follow, "|") != strings.Join(want, "|") {
			return fmt.Errorf("CARP015-017 findings %v, want %v (all: %v)", follow, want, got)
		}
		if r := s.RootModule().Resources["data.carp_audit.fw"].Primary.Attributes["ready"]; r != fmt.Sprint(ready) {
			return fmt.Errorf("ready = %s, want %v (findings %v)", r, ready, got)
		}
		return nil
	}
}

// The three rules that follow the firewalls, each firing and not, through
// carp_audit given only the firewall VMs.
func TestAccAuditDataSource_followFirewalls(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.FirewallPair())
	s, o := e.Sim, e.OOB()
	var portKey string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				// clean: FW-LAN lets ports override, but the ports inherit
				Config: fwAuditConfig(e),
				Check: resource.ComposeAggregateTestCheckFunc(expectFollow(true),
					e.Diags.ExpectMaxCalls("ReadDataSource", "carp_audit", 6), e.Diags.LogMaxCalls(t, "ReadDataSource", "carp_audit")),
			},
			{
				PreConfig: func() {
					o.SetNICPortSecurity("fw-a", "Network adapter 2", inventory.Security{AllowPromiscuous: inventory.Ptr(false)})
					_, portKey = o.NICPort("fw-a", "Network adapter 2")
				},
				Config: fwAuditConfig(e),
				Check: func(st *terraform.State) error {
					return expectFollow(false, "CARP015 "+s.DVSwitchID("dvs-a")+":"+portKey+" error")(st)
				},
			},
			{
				// overrides disallowed: the port's stale setting no longer counts
				PreConfig: func() { o.SetPortOverridesAllowed("FW-LAN", false) },
				Config:    fwAuditConfig(e),
				Check:     expectFollow(true),
			},
			{
				PreConfig: func() { o.SetPortGroupVLAN("esx-3", "FW-WAN", 99) },
				Config:    fwAuditConfig(e),
				Check:     expectFollow(false, "CARP016 "+s.HostID("esx-3")+":FW-WAN error"),
			},
			{
				// VLAN back; fw-b moved onto fw-a's host
				PreConfig: func() {
					o.SetPortGroupVLAN("esx-3", "FW-WAN", 10)
					o.MoveVM("fw-b", "esx-1")
				},
				Config: fwAuditConfig(e),
				Check:  expectFollow(true, "CARP017 "+s.HostID("esx-1")+" warning"),
			},
		},
	})
}

// A host of the firewalls' cluster that vCenter is not in touch with:
// what vCenter last saw of it (here a VLAN that differs) is not judged, and
// the audit says so (CARP026, ready false) instead of a CARP016 from
// stale data. The connection state comes with the host's other
// properties: the same round trips.
func TestAccAuditDataSource_hostDisconnected(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.FirewallPair())
	s, o := e.Sim, e.OOB()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { o.SetPortGroupVLAN("esx-3", "FW-WAN", 99) },
				Config:    fwAuditConfig(e),
				Check:     expectFollow(false, "CARP016 "+s.HostID("esx-3")+":FW-WAN error"),
			},
			{
				PreConfig: func() { o.DisconnectHost("esx-3") },
				Config:    fwAuditConfig(e),
				Check: resource.ComposeAggregateTestCheckFunc(expectFollow(false, "CARP026 "+s.HostID("esx-3")+" error"),
					e.Diags.ExpectMaxCalls("ReadDataSource", "carp_audit", 6)),
			},
		},
	})
}

// CARP017 for a DRS cluster: no rule, DRS off, a disabled rule, then a
// rule added.
func TestAccAuditDataSource_antiAffinity(t *testing.T) {
	t.Parallel()
	sc := simulator.FirewallPair()
	sc.Datacenters[0].Clusters[0].AntiAffinity = nil
	e := acctest.New(t, sc)
	o := e.OOB()
	cl := e.Sim.ClusterID("fw-cluster")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: fwAuditConfig(e), Check: expectFollow(true, "CARP017 "+cl+" warning")},
			{
				// without DRS nothing moves them together
				PreConfig: func() { o.SetClusterDRS("fw-cluster", false) },
				Config:    fwAuditConfig(e), Check: expectFollow(true),
			},
			{
				PreConfig: func() {
					o.SetClusterDRS("fw-cluster", true)
					o.AddAntiAffinityRule("fw-cluster", "off", false, "fw-a", "fw-b")
				},
				Config: fwAuditConfig(e), Check: expectFollow(true, "CARP017 "+cl+" warning"),
			},
			{
				PreConfig: func() {
					o.AddAntiAffinityRule("fw-cluster", "fw-apart", true, "fw-a", "fw-b")
				},
				Config: fwAuditConfig(e), Check: expectFollow(true),
			},
		},
	})
}

// Standalone hosts: nowhere else to run, so another VLAN elsewhere is no
// CARP016; two firewalls on one standalone host still are a CARP017.
func TestAccAuditDataSource_standalone(t *testing.T) {
	t.Parallel()
	sc := simulator.FirewallPair()
	dc := &sc.Datacenters[0]
	dc.Hosts, dc.Clusters = dc.Clusters[0].Hosts, nil
	dc.Hosts[2].VSwitches[0].PortGroups[0].VLAN = 99
	e := acctest.New(t, sc)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: fwAuditConfig(e), Check: expectFollow(true)},
			{
				PreConfig: func() { e.OOB().MoveVM("fw-b", "esx-1") },
				Config:    fwAuditConfig(e),
				Check:     expectFollow(true, "CARP017 "+e.Sim.HostID("esx-1")+" warning"),
			},
		},
	})
}
