package datasources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// entAudit audits the pairs of simulator.EnterprisePairs from their VMs,
// with extra arguments (such as vip_mac, unicast).
func entAudit(e *acctest.Env, extra string) string {
	id := e.Sim.VMID
	return e.Config(fmt.Sprintf(`data "carp_audit" "fw" {
  pairs = [[%q, %q], [%q, %q]]
  %s
}`, id("fw-a"), id("fw-b"), id("fw-c"), id("fw-d"), extra))
}

// expectFindings checks every finding of data.carp_audit.fw ("CODE
// object_id severity", sorted as the audit sorts them), ready, and that
// each of messages is in some finding's message.
func expectFindings(ready bool, want []string, messages ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		got, err := findingsOf(s, "data.carp_audit.fw")
		if err != nil {
			return err
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			return fmt.Errorf("findings %v, want %v", got, want)
		}
		a := s.RootModule().Resources["data.carp_audit.fw"].Primary.Attributes
		if a["ready"] != fmt.Sprint(ready) {
			return fmt.Errorf("ready = %s, want %v (findings %v)", a["ready"], ready, got)
		}
		for _, m := range messages {
			found := false
			for k, v := range a {
				if strings.HasSuffix(k, ".message") && strings.Contains(v, m) {
					found = true
				}
			}
			if !found {
				return fmt.Errorf("no finding says %q (findings %v)", m, got)
			}
		}
		return nil
	}
}

// A LAG alone, a LAG with a standby standalone uplink, and both active.
func TestAccAuditDataSource_lag(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	o, lag := e.OOB(), e.Sim.DVPortGroupID("FW-LAG")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				// one LAG of two links, load balancing srcid that the LAG
				// makes moot: no CARP010, no CARP011; LAGs, VLANs, MAC
				// learning and both policies come with the reads the audit
				// made before them
				Config: entAudit(e, ""),
				Check: resource.ComposeAggregateTestCheckFunc(expectFindings(true, nil),
					e.Diags.ExpectMaxCalls("ReadDataSource", "carp_audit", 6), e.Diags.LogMaxCalls(t, "ReadDataSource", "carp_audit")),
			},
			{
				PreConfig: func() { o.SetDVPortGroupTeaming("FW-LAG", []string{"lag1"}, []string{"uplink1"}, "") },
				Config:    entAudit(e, ""),
				Check:     expectFindings(true, nil),
			},
			{
				PreConfig: func() { o.SetDVPortGroupTeaming("FW-LAG", []string{"lag1", "uplink1"}, nil, "") },
				Config:    entAudit(e, ""),
				Check: expectFindings(true, []string{"CARP010 " + lag + " warning", "CARP018 " + lag + " warning"},
					"LAG lag1 (2 links, hashing by srcDestIpTcpUdpPortVlan) and standalone uplink uplink1 are active together",
					"2 active uplinks (lag1, uplink1) with load balancing loadbalance_srcid; LAG lag1 (2 links, hashing by srcDestIpTcpUdpPortVlan) hashes by its own algorithm"),
			},
		},
	})
}

// A trunk (VLAN 4095) on one host and VLAN 10 on the others differ, named
// as a person would.
func TestAccAuditDataSource_vlanTrunk(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	h := e.Sim.HostID
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: func() { e.OOB().SetPortGroupVLAN("esx-3", "FW-WAN", inventory.VLANAll) },
			Config:    entAudit(e, ""),
			Check: expectFindings(false, []string{
				"CARP016 " + h("esx-1") + ":FW-WAN error", "CARP016 " + h("esx-2") + ":FW-WAN error",
				"CARP016 " + h("esx-3") + ":FW-WAN error", "CARP016 " + h("esx-4") + ":FW-WAN error",
			}, "uses it with VLAN 10 on esx-1", "but it has VLAN trunk (all VLANs) here", "uses it with VLAN trunk (all VLANs) on esx-3"),
		}},
	})
}

// MAC learning: a limit of 1 with drop and 1 VHID, the same with allow,
// more VHIDs; flooding off with and without unicast.
func TestAccAuditDataSource_macLearning(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	o, learn := e.OOB(), e.Sim.DVPortGroupID("FW-LEARN")
	set := func(limit int32, policy string, flood bool) func() {
		return func() {
			o.SetDVPortGroupMacLearning("FW-LEARN", inventory.MacLearning{Enabled: true, AllowUnicastFlooding: flood, Limit: limit, LimitPolicy: policy})
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: set(1, "drop", true),
				Config:    entAudit(e, ""),
				Check: expectFindings(false, []string{"CARP019 " + learn + " error"},
					"past a limit of 1 per port, below the 2 a firewall NIC needs", `Raise limit in the mac_learning block of carp_portgroup_policy to at least 1 + the virtual MACs per NIC, or set limit_policy = "allow".`),
			},
			{PreConfig: set(1, "allow", true), Config: entAudit(e, ""), Check: expectFindings(true, nil)},
			{PreConfig: set(3, "drop", true), Config: entAudit(e, "vhids = 3"), Check: expectFindings(false, []string{"CARP019 " + learn + " error"}, "below the 4 a firewall NIC needs")},
			{PreConfig: set(4096, "drop", false), Config: entAudit(e, ""), Check: expectFindings(true, []string{"CARP020 " + learn + " warning"})},
			{
				Config: entAudit(e, "unicast = true"),
				Check:  expectFindings(false, []string{"CARP020 " + learn + " error"}, "with unicast CARP, which advertises from the NIC's own MAC"),
			},
		},
	})
}

// The two VDS policies disagreeing on a port group, then on a firewall's
// port; the verdict follows macManagementPolicy.
func TestAccAuditDataSource_policiesDisagree(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	o := e.OOB()
	tr, f := inventory.Ptr(true), inventory.Ptr(false)
	lag := e.Sim.DVPortGroupID("FW-LAG")
	var portID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				// securityPolicy rejects forged transmits, macManagementPolicy
				// (which the host applies) accepts them: ready, with CARP021
				PreConfig: func() {
					o.SetDVPortGroupPolicies("FW-LAG", inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: f},
						inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: tr})
				},
				Config: entAudit(e, ""),
				Check: expectFindings(true, []string{"CARP021 " + lag + " warning"},
					"disagree on forged transmits (macManagementPolicy accepts, securityPolicy rejects); the host applies macManagementPolicy"),
			},
			{
				// the reverse: macManagementPolicy rejects, so CARP003 too
				PreConfig: func() {
					o.SetDVPortGroupPolicies("FW-LAG", inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: tr},
						inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: f})
				},
				Config: entAudit(e, ""),
				Check:  expectFindings(false, []string{"CARP003 " + lag + " error", "CARP021 " + lag + " warning"}),
			},
			{
				PreConfig: func() {
					o.SetDVPortGroupPolicies("FW-LAG", inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: tr},
						inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: tr})
					o.SetNICPortPolicies("fw-a", "Network adapter 3", inventory.Security{MacChanges: f},
						inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: tr})
					dvs, key := o.NICPort("fw-a", "Network adapter 3")
					portID = dvs + ":" + key
				},
				Config: entAudit(e, ""),
				Check: func(s *terraform.State) error {
					return expectFindings(true, []string{"CARP021 " + portID + " warning"},
						"the port's own securityPolicy and macManagementPolicy disagree on MAC address changes (macManagementPolicy accepts, securityPolicy rejects)")(s)
				},
			},
		},
	})
}

// keepalived without use_vmac: port groups that reject all three are
// ready; the same with a virtual MAC are not.
func TestAccAuditDataSource_interfaceVIP(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	o := e.OOB()
	f := inventory.Ptr(false)
	reject := inventory.Security{AllowPromiscuous: f, MacChanges: f, ForgedTransmits: f}
	h := e.Sim.HostID
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					for _, host := range []string{"esx-1", "esx-2", "esx-3", "esx-4"} {
						o.SetPortGroupSecurity(host, "FW-WAN", reject)
					}
					o.SetDVPortGroupPolicies("FW-LAG", reject, reject)
					o.SetDVPortGroupMacLearning("FW-LAG", inventory.MacLearning{Enabled: false, AllowUnicastFlooding: true, Limit: 4096, LimitPolicy: "drop"})
				},
				Config: entAudit(e, `vip_mac = "interface"`),
				Check:  expectFindings(true, nil),
			},
			{
				Config: entAudit(e, `vip_mac = "virtual"`),
				Check: func(s *terraform.State) error {
					got, err := findingsOf(s, "data.carp_audit.fw")
					if err != nil {
						return err
					}
					for _, w := range []string{"CARP001 " + h("esx-1") + ":FW-WAN error", "CARP002 " + e.Sim.DVPortGroupID("FW-LAG") + " error"} {
						if !strings.Contains(strings.Join(got, "|"), w) {
							return fmt.Errorf("findings %v lack %s", got, w)
						}
					}
					return nil
				},
			},
		},
	})
}

// Two pairs, each apart with its rule: no CARP017; one pair's members on
// one host: CARP017 for that pair only; no pairs with four firewalls:
// CARP017 says it cannot tell them apart.
func TestAccAuditDataSource_pairs(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	h := e.Sim.HostID
	id := e.Sim.VMID
	noPairs := e.Config(fmt.Sprintf(`data "carp_audit" "fw" { firewall_vm_ids = [%q, %q, %q, %q] }`, id("fw-a"), id("fw-b"), id("fw-c"), id("fw-d")))
	all := strings.Join([]string{id("fw-a"), id("fw-b"), id("fw-c"), id("fw-d")}, ",")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: entAudit(e, ""), Check: expectFindings(true, nil)},
			{
				PreConfig: func() { e.OOB().MoveVM("fw-d", "esx-3") },
				Config:    entAudit(e, ""),
				Check:     expectFindings(true, []string{"CARP017 " + h("esx-3") + " warning"}, "firewall VMs fw-c ("+id("fw-c")+") and fw-d ("+id("fw-d")+") run on this host"),
			},
			{
				Config: noPairs,
				Check:  expectFindings(true, []string{"CARP017 " + all + " warning"}, "4 firewall VMs and no pairs"),
			},
		},
	})
}

// carp_firewalls resolves pairs of names to pair_vm_ids, which carp_audit
// takes; a pair member that is not a firewall VM of the audit is an error
// on pairs.
func TestAccFirewallsDataSource_pairs(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	id := e.Sim.VMID
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config: e.Config(`
data "carp_firewalls" "fw" { pairs = [["fw-a", "fw-b"], ["fw-c", "fw-d"]] }
data "carp_audit" "fw" {
  firewall_vm_ids = data.carp_firewalls.fw.vms[*].id
  pairs           = data.carp_firewalls.fw.pair_vm_ids
}`),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.carp_firewalls.fw", "vms.#", "4"),
					resource.TestCheckResourceAttr("data.carp_firewalls.fw", "pair_vm_ids.0.1", id("fw-b")),
					resource.TestCheckResourceAttr("data.carp_firewalls.fw", "pair_vm_ids.1.0", id("fw-c")),
					expectFindings(true, nil),
				),
			},
			{
				Config:      e.Config(fmt.Sprintf("data \"carp_audit\" \"fw\" {\n  firewall_vm_ids = [%q, %q]\n  pairs = [[%q, %q]]\n}", id("fw-a"), id("fw-b"), id("fw-a"), id("fw-c"))),
				ExpectError: regexp.MustCompile(id("fw-c") + ` is in pairs but not in\s+firewall_vm_ids`),
			},
		},
	})
}
