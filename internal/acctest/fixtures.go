package acctest

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// Fixtures the tests of more than one package share: scenarios and HCL.

// PolicyScenario: host esx-01 with a teamed vSwitch1 (FW-WAN inheriting
// every security field, FW-LAN rejecting promiscuous mode explicitly), and
// two distributed switches: 6.5.0 (securityPolicy path) and 7.0.0
// (macManagementPolicy path), each with an inheriting port group "fw-*".
func PolicyScenario() simulator.Scenario {
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name: "dc",
		Hosts: []simulator.Host{{
			Name: "esx-01", RPFCheckPromisc: 1,
			VSwitches: []simulator.VSwitch{{
				Name: "vSwitch1", Uplinks: []string{"vmnic1", "vmnic2"},
				PortGroups: []simulator.PortGroup{
					{Name: "FW-WAN"},
					{Name: "FW-LAN", Security: inventory.Security{AllowPromiscuous: inventory.Ptr(false)}},
				},
			}},
		}},
		DVSwitches: []simulator.DVSwitch{
			{Name: "dvs-65", Version: "6.5.0", HostNames: []string{"esx-01"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-65"}}},
			{Name: "dvs-70", Version: "7.0.0", HostNames: []string{"esx-01"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-70"}}},
		},
	}}}
}

// CarpHost is a firewall host: vSwitch0 teams vmnic0+vmnic1 and carries
// FW-WAN (accepts promiscuous mode itself) and Mgmt (inherits Reject);
// vSwitch1 accepts promiscuous mode at switch level and carries FW-SYNC
// (inherits it) and Backup (rejects it itself).
func CarpHost(name string, rpf int64) simulator.Host {
	return simulator.Host{Name: name, RPFCheckPromisc: rpf, VSwitches: []simulator.VSwitch{
		{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, PortGroups: []simulator.PortGroup{
			{Name: "FW-WAN", VLAN: 10, Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true), ForgedTransmits: inventory.Ptr(true)}},
			{Name: "Mgmt", VLAN: 20},
		}},
		{Name: "vSwitch1", Uplinks: []string{"vmnic2"}, Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true)}, PortGroups: []simulator.PortGroup{
			{Name: "FW-SYNC", VLAN: 30},
			{Name: "Backup", VLAN: 40, Security: inventory.Security{AllowPromiscuous: inventory.Ptr(false)}},
		}},
	}}
}

// HostScenario: cluster fw with CarpHost esx-01 (reverse-path check off)
// and a bare esx-02 (on).
func HostScenario() simulator.Scenario {
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name:     "dc",
		Clusters: []simulator.Cluster{{Name: "fw", Hosts: []simulator.Host{CarpHost("esx-01", 0), {Name: "esx-02", RPFCheckPromisc: 1}}}},
	}}}
}

// StdPolicy is a configuration with carp_portgroup_policy.fw on the
// standard port group pg of esx-01; body goes inside the block.
func (e *Env) StdPolicy(pg string, body ...string) string {
	return e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id = %q
  portgroup      = %q
%s
}`, e.Sim.HostID("esx-01"), pg, strings.Join(body, "\n")))
}

// DVPolicy is a configuration with carp_portgroup_policy.fw on the DV port
// group pg.
func (e *Env) DVPolicy(pg string, body ...string) string {
	return e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  distributed_portgroup_id = %q
%s
}`, e.Sim.DVPortGroupID(pg), strings.Join(body, "\n")))
}

// HostSettingsHCL is a carp_host_settings.h block (no provider block).
func HostSettingsHCL(hostID string, attrs ...string) string {
	return fmt.Sprintf("resource \"carp_host_settings\" \"h\" {\n  host_system_id = %q\n  %s\n}\n", hostID, strings.Join(attrs, "\n  "))
}

// Reset forgets the recorded diagnostics and SOAP calls (a PreConfig).
func (e *Env) Reset() {
	e.Diags.Reset()
	e.Sim.ResetCalls()
}

// BoolStr shows an own policy value: "true", "false" or "inherit".
func BoolStr(b *bool) string {
	if b == nil {
		return "inherit"
	}
	return fmt.Sprint(*b)
}

// PortGroupSecurity is a standard port group's own security policy as
// "promisc=... mac=... forged=... vlan=..." (inherit for a nil field).
func (o *OOB) PortGroupSecurity(host, pg string) string {
	o.t.Helper()
	s := o.PortGroup(host, pg).Spec
	sec := inventory.Security{}
	if p := s.Policy.Security; p != nil {
		sec = inventory.Security{AllowPromiscuous: p.AllowPromiscuous, MacChanges: p.MacChanges, ForgedTransmits: p.ForgedTransmits}
	}
	return fmt.Sprintf("promisc=%s mac=%s forged=%s vlan=%d", BoolStr(sec.AllowPromiscuous), BoolStr(sec.MacChanges), BoolStr(sec.ForgedTransmits), s.VlanId)
}

// PolicyRes is the address of the carp_portgroup_policy that StdPolicy and
// DVPolicy configure.
const PolicyRes = "carp_portgroup_policy.fw"

// ExpectPolicy checks an attribute of PolicyRes.
func ExpectPolicy(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(PolicyRes, tfjsonpath.New(attr), v)
}

// EmptyPlan checks that a step's configuration plans nothing after apply
// and refresh.
func EmptyPlan() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// PortGroupWrites are the recorded port group writes (UpdatePortGroup and
// ReconfigureDVPortgroup_Task) since the last ResetCalls.
func (e *Env) PortGroupWrites() []simulator.Call {
	var out []simulator.Call
	for _, c := range e.Sim.Calls() {
		if c.Method == "UpdatePortGroup" || c.Method == "ReconfigureDVPortgroup_Task" {
			out = append(out, c)
		}
	}
	return out
}

// ExpectPortGroupWrites checks the number of port group writes since the
// last ResetCalls and that the i-th detail contains want[i].
func (e *Env) ExpectPortGroupWrites(want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		w := e.PortGroupWrites()
		if len(w) != len(want) {
			return fmt.Errorf("%d port group writes, want %d: %+v", len(w), len(want), w)
		}
		for i, c := range w {
			if !strings.Contains(c.Detail, want[i]) {
				return fmt.Errorf("write %d is %q, want it to contain %q", i+1, c.Detail, want[i])
			}
		}
		return nil
	}
}
