package provider_test

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/provider"
)

// TestAccLive_readOnly runs against a real vCenter (make testacc-live, with
// VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD and, for a lab,
// VSPHERE_ALLOW_UNVERIFIED_SSL): it connects, lists the hosts, and audits
// the first one. It changes nothing. The rest of the suite builds its own
// inventories in the simulator, which a real vCenter cannot offer.
func TestAccLive_readOnly(t *testing.T) {
	if os.Getenv("CARP_ACC_LIVE") == "" || os.Getenv("VSPHERE_SERVER") == "" {
		t.Skip("live test: run make testacc-live with VSPHERE_SERVER set")
	}
	sessions := &provider.Sessions{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"carp": provider.NewServer("live", sessions),
		},
		Steps: []resource.TestStep{{
			Config: `
provider "carp" {}
data "carp_hosts" "all" {}
data "carp_audit" "first" {
  host_system_ids = length(data.carp_hosts.all.hosts) > 0 ? [data.carp_hosts.all.hosts[0].id] : []
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.carp_audit.first", tfjsonpath.New("ready"), knownvalue.NotNull()),
			},
		}},
	})
	sessions.LogoutAll(t.Context())
}
