package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// asUser is the provider block of e logged in as another user of the
// simulator (simulator.AddUser).
func asUser(e *acctest.Env, user, password string) string {
	b := e.ProviderBlock()
	b = strings.Replace(b, fmt.Sprintf("user = %q", e.Sim.User), fmt.Sprintf("user = %q", user), 1)
	return strings.Replace(b, fmt.Sprintf("password = %q", e.Sim.Password), fmt.Sprintf("password = %q", password), 1)
}

// TestAccNoPermission: for each resource kind, a service account whose
// role can read but lacks the write privilege gets an error on the
// attribute that names the object, naming the missing privilege and the
// object it is needed on; nothing is written.
func TestAccNoPermission(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, write, privilege, objType, attr string
		held                                  []string
		config                                func(e *acctest.Env) string
		object                                func(e *acctest.Env) string
	}{
		{
			name: "standard port group", write: "UpdatePortGroup", privilege: "Host.Config.Network", objType: "HostSystem", attr: "host_system_id",
			config: func(e *acctest.Env) string {
				return fmt.Sprintf(`resource "carp_portgroup_policy" "fw" {
  host_system_id = %q
  portgroup      = "FW-LAN"
}`, e.Sim.HostID("esx-01"))
			},
			object: func(e *acctest.Env) string { return e.Sim.HostID("esx-01") },
		},
		{
			name: "distributed port group", write: "ReconfigureDVPortgroup_Task", privilege: "DVPortgroup.Modify", objType: "DistributedVirtualPortgroup", attr: "distributed_portgroup_id",
			// Host.Config.Network is not what a DV port group needs.
			held: []string{"Host.Config.Network"},
			config: func(e *acctest.Env) string {
				return fmt.Sprintf(`resource "carp_portgroup_policy" "fw" {
  distributed_portgroup_id = %q
}`, e.Sim.DVPortGroupID("fw-70"))
			},
			object: func(e *acctest.Env) string { return e.Sim.DVPortGroupID("fw-70") },
		},
		{
			name: "host settings", write: "UpdateOptions", privilege: "Host.Config.AdvancedConfig", objType: "HostSystem", attr: "host_system_id",
			held: []string{"Host.Config.Network"},
			config: func(e *acctest.Env) string {
				return fmt.Sprintf(`resource "carp_host_settings" "h" {
  host_system_id                 = %q
  reverse_path_fwd_check_promisc = false
}`, e.Sim.HostID("esx-01"))
			},
			object: func(e *acctest.Env) string { return e.Sim.HostID("esx-01") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, acctest.PolicyScenario())
			e.Sim.AddUser("svc-carp", "svc-secret", append(simulator.ReadOnly, tc.held...)...)
			obj := tc.object(e)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{{
					PreConfig: e.Sim.ResetCalls,
					Config:    asUser(e, "svc-carp", "svc-secret") + "\n" + tc.config(e),
					ExpectError: regexp.MustCompile(`(?s)missing vSphere privilege ` + regexp.QuoteMeta(tc.privilege) + `.*NoPermission.*lacks\s+the\s+privilege\s+` +
						regexp.QuoteMeta(tc.privilege) + `\s+on\s+` + tc.objType + `\s+` + obj),
				}},
			})
			found := false
			for _, d := range e.Diags.All() {
				if strings.Contains(d.Summary, "missing vSphere privilege "+tc.privilege) {
					found = true
					if d.Attribute != tc.attr {
						t.Errorf("the error is on %q, want %q: %s", d.Attribute, tc.attr, d)
					}
				}
			}
			if !found {
				t.Errorf("no diagnostic names the missing privilege %s: %v", tc.privilege, e.Diags.All())
			}
			for _, c := range e.Sim.Calls() {
				if c.Method == tc.write && c.Fault != "NoPermission" {
					t.Errorf("a write went through for a user without %s: %+v", tc.privilege, c)
				}
				if c.Method == "UpdatePortGroup" && tc.write != "UpdatePortGroup" {
					t.Errorf("an unexpected write: %+v", c)
				}
			}
		})
	}
}

// TestAccReadOnlyAudit: the audit and the hosts data source, and plans of
// both resources, need only the Read-only role.
func TestAccReadOnlyAudit(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	e.Sim.AddUser("svc-audit", "svc-secret", simulator.ReadOnly...)
	host, dvpg := e.Sim.HostID("esx-01"), e.Sim.DVPortGroupID("fw-70")
	audit := asUser(e, "svc-audit", "svc-secret") + fmt.Sprintf(`
data "carp_hosts" "all" {}
data "carp_audit" "a" {
  host_system_ids           = data.carp_hosts.all.hosts[*].id
  portgroups                = ["FW-WAN", "FW-LAN"]
  distributed_portgroup_ids = [%q]
}
output "ready" { value = data.carp_audit.a.ready }
`, dvpg)
	plans := audit + fmt.Sprintf(`
resource "carp_portgroup_policy" "lan" {
  host_system_id = %q
  portgroup      = "FW-LAN"
}
resource "carp_portgroup_policy" "dv" {
  distributed_portgroup_id = %q
}
resource "carp_host_settings" "h" {
  host_system_id                 = %q
  reverse_path_fwd_check_promisc = true
}
`, host, dvpg, host)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config: audit,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.carp_audit.a", "ready", "false"),
					resource.TestCheckResourceAttrSet("data.carp_audit.a", "findings.#"),
				),
			},
			{Config: plans, PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
	for _, c := range e.Sim.Calls() {
		if c.Fault == "NoPermission" {
			t.Errorf("a read-only audit or plan was refused: %+v", c)
		}
	}
}
