package hostsettings_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// Resource identity (host_system_id): stored on create and refresh, and an
// import block with identity imports the host as a no-op. Import blocks
// with identity need Terraform or OpenTofu 1.12 (OpenTofu 1.12.6 reports
// 1.12.6-dev, which SkipBelow compares by its core version, 1.12.6).
func TestAccHostSettings_identity(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-01")
	const res = "carp_host_settings.h"
	cfg := e.Config(acctest.HostSettingsHCL(id))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(res, map[string]knownvalue.Check{"host_system_id": knownvalue.StringExact(id)}),
				},
			},
			{
				ResourceName:    res,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          cfg,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionNoop),
				}},
			},
			{
				// An identity that names no host fails the import, naming
				// what it found.
				Config: cfg + fmt.Sprintf(`
resource "carp_host_settings" "x" {
  host_system_id = %q
}

import {
  to       = carp_host_settings.x
  identity = { host_system_id = "dvportgroup-42" }
}
`, id),
				ExpectError: regexp.MustCompile(`(?s)Invalid import identity.*"dvportgroup-42"\s+is\s+the\s+id\s+of\s+a\s+distributed\s+port\s+group`),
			},
		},
	})
}
