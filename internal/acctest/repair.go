package acctest

import (
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// RepairStep is the step after a toggle of FW-WAN on esx-01 that left it
// without promiscuous mode: after fix (the fault cleared, vSphere answering
// again), FW-WAN rejects promiscuous mode; the plan of cfg updates it to
// true, and the plan after is empty.
func (e *Env) RepairStep(cfg string, fix func()) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			fix()
			p := e.OOB().PortGroup("esx-01", "FW-WAN")
			if BoolStr(p.Spec.Policy.Security.AllowPromiscuous) != "false" {
				e.T.Errorf("after the failed toggle, promiscuous = %s, want false", BoolStr(p.Spec.Policy.Security.AllowPromiscuous))
			}
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(PolicyRes, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(PolicyRes, tfjsonpath.New("allow_promiscuous"), knownvalue.Bool(true)),
			},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: []statecheck.StateCheck{ExpectPolicy("allow_promiscuous", knownvalue.Bool(true))},
	}
}
