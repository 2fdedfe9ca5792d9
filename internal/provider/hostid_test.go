package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

// TestAccHostIDBothResources: host_system_id is validated one way on both
// resources (tfvalue.CheckHostID): a host name, a type-prefixed id or another
// object's moref fails validate on carp_host_settings and
// carp_portgroup_policy alike, with the same diagnostic on host_system_id;
// their import ids reject the same host part.
func TestAccHostIDBothResources(t *testing.T) {
	t.Parallel()
	resources := map[string]func(id string) func(e *acctest.Env) string{
		"carp_host_settings": func(id string) func(*acctest.Env) string { return hsHCL(`host_system_id = "` + id + `"`) },
		"carp_portgroup_policy": func(id string) func(*acctest.Env) string {
			return pgHCL("host_system_id = \"" + id + "\"\nportgroup = \"FW-WAN\"")
		},
	}
	for typ, hcl := range resources {
		for _, id := range []string{"esx-01", "HostSystem:host-21", "vm-42", "host-"} {
			t.Run(typ+"/"+id, func(t *testing.T) {
				t.Parallel()
				e := acctest.New(t, simulator.DemoScenario())
				want := tfvalue.CheckHostID(id)
				if want == "" {
					t.Fatalf("CheckHostID(%q) accepts it", id)
				}
				resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.Factories(), Steps: []resource.TestStep{{
					Config:      e.Config(hcl(id)(e)),
					ExpectError: regexp.MustCompile(`Invalid host_system_id`),
				}}})
				found := false
				for _, d := range e.Diags.All() {
					if d.Severity == "error" && d.Attribute == "host_system_id" && d.Summary == "Invalid host_system_id" && d.Detail == want {
						found = true
					}
				}
				if !found {
					t.Errorf("no diagnostic %q on host_system_id; got %v", want, e.Diags.All())
				}
			})
		}
	}
	for typ, importID := range map[string]string{"carp_host_settings": "esx-01", "carp_portgroup_policy": "esx-01:FW-WAN"} {
		t.Run(typ+"/import "+importID, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, simulator.DemoScenario())
			cfg := e.Config(resources[typ](e.Sim.HostID("esx-01.lab"))(e))
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.Factories(), Steps: []resource.TestStep{{
				Config: cfg, ResourceName: typ + ".x", ImportState: true, ImportStateId: importID,
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?i)invalid .*import id`, " ", `\s+`)),
			}}})
		})
	}
}
