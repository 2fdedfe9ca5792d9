package datasources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

const nic4 = "Network adapter 4"

// nsxAuditConfig audits the pair of simulator.NSXPair from the firewall
// VMs alone; provider lines go into the provider block.
func nsxAuditConfig(e *acctest.Env, provider ...string) string {
	return e.ProviderBlock(provider...) + fmt.Sprintf(`
data "carp_audit" "fw" { firewall_vm_ids = [%q, %q] }`, e.Sim.VMID("fw-a"), e.Sim.VMID("fw-b"))
}

// expectNSX checks the audit's findings from CARP016 on ("CODE object_id
// severity", in order), ready, and that each message holds its substring.
func expectNSX(ready bool, want []string, msgs ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		got, err := findingsOf(s, "data.carp_audit.fw")
		if err != nil {
			return err
		}
		var nsx []string
		for _, f := range got {
			if f[:7] >= "CARP016" && f[:7] != "CARP017" {
				nsx = append(nsx, f)
			}
		}
		if strings.Join(nsx, "|") != strings.Join(want, "|") {
			return fmt.Errorf("findings %v, want %v (all: %v)", nsx, want, got)
		}
		a := s.RootModule().Resources["data.carp_audit.fw"].Primary.Attributes
		if a["ready"] != fmt.Sprint(ready) {
			return fmt.Errorf("ready = %s, want %v (findings %v)", a["ready"], ready, got)
		}
		var all []string
		for k, v := range a {
			if strings.HasSuffix(k, ".message") {
				all = append(all, v)
			}
		}
		for _, m := range msgs {
			if !strings.Contains(strings.Join(all, "\n"), m) {
				return fmt.Errorf("no message contains %q:\n%s", m, strings.Join(all, "\n"))
			}
		}
		return nil
	}
}

// carp_firewalls tells NICs on NSX segments apart, through the vSphere API
// alone: an NSX port group (segment path) and an opaque network (logical
// switch UUID); the NSX port group is not among the DV port groups to
// manage.
func TestAccFirewallsDataSource_nsx(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.NSXPair())
	s, m := e.Sim, e.Sim.NSX()
	nic := func(vm string, i int) tfjsonpath.Path {
		return tfjsonpath.New("vms").AtSliceIndex(i).AtMapKey("nics").AtSliceIndex(3)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: e.Config(`data "carp_firewalls" "pair" { names = ["fw-a", "fw-b"] }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.carp_firewalls.pair", nic("fw-a", 0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"label": knownvalue.StringExact(nic4), "type": knownvalue.StringExact("vmxnet3"), "network": knownvalue.StringExact("FW-NSX"),
					"distributed_portgroup_id": knownvalue.StringExact(s.DVPortGroupID("FW-NSX")), "port_key": knownvalue.Null(),
					"backing": knownvalue.StringExact("nsx"), "nsx_segment": knownvalue.StringExact("/infra/segments/fw-nsx"),
				})),
				statecheck.ExpectKnownValue("data.carp_firewalls.pair", nic("fw-b", 1), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"label": knownvalue.StringExact(nic4), "type": knownvalue.StringExact("vmxnet3"), "network": knownvalue.StringExact("FW-OPQ"),
					"distributed_portgroup_id": knownvalue.Null(), "port_key": knownvalue.Null(),
					"backing": knownvalue.StringExact("nsx"), "nsx_segment": knownvalue.StringExact(m.SegmentUUID("fw-opq")),
				})),
				statecheck.ExpectKnownValue("data.carp_firewalls.pair", tfjsonpath.New("vms").AtSliceIndex(0).AtMapKey("nics").AtSliceIndex(1).AtMapKey("backing"),
					knownvalue.StringExact("distributed")),
				statecheck.ExpectKnownValue("data.carp_firewalls.pair", tfjsonpath.New("distributed_portgroup_ids"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact(s.DVPortGroupID("FW-LAN")), knownvalue.StringExact(s.DVPortGroupID("FW-SYNC")),
				})),
			},
			// the same budget as without NSX (TestAccFirewallsDataSource), and no NSX call
			Check: resource.ComposeAggregateTestCheckFunc(e.Diags.ExpectMaxCalls("ReadDataSource", "carp_firewalls", 6), e.ExpectNoNSXCall()),
		}},
	})
}

// CARP023-025 through carp_audit given only the firewall VMs: each firing
// and not, a port's binding overriding the segment's, with the VIP as the
// audit takes it by default (a virtual MAC, 1 VHID, multicast); the NSX
// budget: 2 firewalls with a NIC each on NSX, at most 4 NSX calls.
func TestAccAuditDataSource_nsx(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.NSXPair())
	s, n := e.Sim, e.NSX()
	m := n.Manager()
	portA, portB := m.PortPath("fw-a", nic4), m.PortPath("fw-b", nic4)
	sgOn := inventory.SpoofGuardProfile{Path: "/infra/spoofguard-profiles/sg-on", Name: "sg-on", Enabled: true}
	drop := simulator.CARPMacDiscoveryProfile
	drop.Path, drop.Name, drop.LimitPolicy, drop.Limit = "/infra/mac-discovery-profiles/drop-1", "drop-1", "DROP", 1
	cfg := nsxAuditConfig(e, e.NSXLines()...)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				// clean: MAC learning on both segments, SpoofGuard off
				PreConfig: func() { m.ResetCalls() },
				Config:    cfg,
				Check: resource.ComposeAggregateTestCheckFunc(expectNSX(true, nil),
					e.Diags.ExpectMaxNSXCalls("ReadDataSource", "carp_audit", 4), e.Diags.ExpectMaxCalls("ReadDataSource", "carp_audit", 6),
					logNSXCalls(t, e)),
			},
			{
				// fw-nsx binds nothing: NSX's default profile has MAC learning off
				PreConfig: func() { n.SetSegmentProfiles("fw-nsx", inventory.NSXProfiles{}) },
				Config:    cfg,
				Check: expectNSX(false, []string{"CARP023 " + portA + " error"},
					`MAC discovery profile "default-mac-discovery-profile" (/infra/mac-discovery-profiles/default-mac-discovery-profile; NSX's default: nothing is bound to the segment or the port) has MAC learning off`),
			},
			{
				// fw-a's port binds the CARP profile: it overrides the segment
				PreConfig: func() {
					n.SetPortProfiles("fw-a", nic4, inventory.NSXProfiles{MacDiscovery: simulator.CARPMacDiscoveryProfile.Path})
				},
				Config: cfg,
				Check:  expectNSX(true, nil),
			},
			{
				// a DROP limit of 1 below the NIC's MAC and the VIP's virtual MAC
				PreConfig: func() {
					m.PutMacDiscoveryProfile(drop)
					n.SetPortProfiles("fw-a", nic4, inventory.NSXProfiles{MacDiscovery: drop.Path})
				},
				Config: cfg,
				Check:  expectNSX(false, []string{"CARP023 " + portA + " error"}, "drops past mac_limit 1 (mac_limit_policy DROP), below the 2 MACs of the NIC and its 1 virtual MAC"),
			},
			{
				// SpoofGuard on fw-opq; the default IP discovery learns one address
				PreConfig: func() {
					n.SetPortProfiles("fw-a", nic4, inventory.NSXProfiles{})
					n.SetSegmentProfiles("fw-nsx", inventory.NSXProfiles{MacDiscovery: simulator.CARPMacDiscoveryProfile.Path})
					m.PutSpoofGuardProfile(sgOn)
					n.SetSegmentProfiles("fw-opq", inventory.NSXProfiles{MacDiscovery: simulator.CARPMacDiscoveryProfile.Path, SpoofGuard: sgOn.Path})
				},
				Config: cfg,
				Check: expectNSX(false, []string{"CARP024 " + portB + " error"},
					`SpoofGuard profile "sg-on" (/infra/spoofguard-profiles/sg-on; bound to the segment) has address_binding_allowlist on`,
					"learns at most 1 IPv4 address by ARP snooping (arp_binding_limit) and trusts the first it learns (trust on first use)"),
			},
			{
				// the VIP's virtual MAC bound to fw-b's port by hand
				PreConfig: func() {
					n.SetPortAddressBindings("fw-b", nic4, inventory.NSXAddressBinding{IP: "192.0.2.10", MAC: "00:00:5e:00:01:01"})
				},
				Config: cfg,
				Check:  expectNSX(true, nil),
			},
			{
				// NSX has no port for fw-a's NIC: not judged
				PreConfig: func() { n.RemovePort("fw-a", nic4) },
				Config:    cfg,
				Check: expectNSX(false, []string{"CARP025 " + s.DVPortGroupID("FW-NSX") + " error"},
					fmt.Sprintf(`firewall VM fw-a (%s) NIC "Network adapter 4" is on it`, s.VMID("fw-a")), "has no segment port for it"),
			},
		},
	})
}

func logNSXCalls(t *testing.T, e *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		calls := e.Sim.NSX().Calls()
		t.Logf("NSX calls of the audit: provider counted at most %d per read (%d in all, %d reads); NSX Manager answered %d",
			maxNSX(e), e.Diags.NSXCalls("ReadDataSource", "carp_audit"), reads(e), len(calls))
		for _, c := range calls {
			t.Logf("  %s %s %s -> %d", c.Method, c.Path, c.Query, c.Status)
		}
		return nil
	}
}

func maxNSX(e *acctest.Env) int64 {
	var most int64
	for _, c := range e.Diags.Calls() {
		if c.RPC == "ReadDataSource" && c.TypeName == "carp_audit" && c.NSXCalls > most {
			most = c.NSXCalls
		}
	}
	return most
}

func reads(e *acctest.Env) int {
	n := 0
	for _, c := range e.Diags.Calls() {
		if c.RPC == "ReadDataSource" && c.TypeName == "carp_audit" {
			n++
		}
	}
	return n
}

// No NSX Manager configured: the NSX segments are not judged, and the
// audit is not ready; NSX is not called.
func TestAccAuditDataSource_nsxNoManager(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.NSXPair())
	s := e.Sim
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: nsxAuditConfig(e),
			Check: resource.ComposeAggregateTestCheckFunc(
				expectNSX(false, []string{"CARP025 " + s.DVPortGroupID("FW-NSX") + " error", "CARP025 " + s.OpaqueNetworkID("FW-OPQ") + " error"},
					"no NSX Manager is configured (nsx_manager, nsx_user and nsx_password"),
				e.ExpectNoNSXCall()),
		}},
	})
}

// Rejected NSX credentials: an error naming nsx_user and nsx_password,
// and exactly one login attempt per command although two audits meet NSX.
func TestAccAuditDataSource_nsxBadCredentials(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.NSXPair())
	m := e.Sim.NSX()
	cfg := nsxAuditConfig(e, e.NSXLines("wrong-password")...) + fmt.Sprintf(`
data "carp_audit" "again" { firewall_vm_ids = [%q] }`, e.Sim.VMID("fw-b"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)NSX Manager rejected nsx_user / nsx_password.*credentials were incorrect.*nsx_user and nsx_password`),
		}},
	})
	commands := 0
	for _, c := range e.Diags.Calls() {
		if c.RPC == "ConfigureProvider" {
			commands++
		}
	}
	t.Logf("%d commands configured the provider, %d audits read, NSX rejected %d logins", commands, reads(e), m.Rejected())
	if commands == 0 || m.Rejected() != commands {
		t.Errorf("NSX rejected %d logins in %d commands: want exactly one per command", m.Rejected(), commands)
	}
	if m.Locked() {
		t.Error("the test locked the NSX account")
	}
}

// NSX Manager not answering: the audit ends within api_timeout of its NSX
// call, with the segments not judged.
func TestAccAuditDataSource_nsxTimeout(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.NSXPair())
	e.Sim.NSX().Pause()
	s := e.Sim
	cfg := nsxAuditConfig(e, append(e.NSXLines(), `api_timeout = "2s"`)...)
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config:    cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				expectNSX(false, []string{"CARP025 " + s.DVPortGroupID("FW-NSX") + " error", "CARP025 " + s.OpaqueNetworkID("FW-OPQ") + " error"},
					"did not answer within api_timeout (2s)"),
				func(*terraform.State) error {
					for _, c := range e.Diags.Calls() {
						if c.RPC == "ReadDataSource" && c.NSXCalls > 1 {
							return fmt.Errorf("a read made %d NSX calls to a Manager that does not answer", c.NSXCalls)
						}
					}
					if d := time.Since(start); d > 30*time.Second {
						return fmt.Errorf("the apply took %v with api_timeout 2s", d)
					}
					return nil
				}),
		}},
	})
}

// The segment of fw-b's opaque network does not reach esx-3, a host of
// fw-b's cluster: CARP016, by segment. (vcsim does not connect a VM to a
// DV port group unless every host of its cluster is a member of the
// switch, so the NSX port group's case is tested on the rules.)
func TestAccAuditDataSource_nsxSegmentReach(t *testing.T) {
	t.Parallel()
	sc := simulator.NSXPair()
	on := &sc.Datacenters[0].OpaqueNetworks[0]
	on.HostNames = []string{"esx-1", "esx-2"}
	e := acctest.New(t, sc)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: nsxAuditConfig(e, e.NSXLines()...),
			Check: expectNSX(false, []string{"CARP016 " + e.Sim.HostID("esx-3") + ":" + e.Sim.NSX().SegmentUUID("fw-opq") + " error"},
				"but the opaque network does not reach the host"),
		}},
	})
}
