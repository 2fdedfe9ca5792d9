package portgrouppolicy_test

// Acceptance tests of carp_portgroup_policy's destroy: the policy found
// before is put back, or left as applied with restore_on_destroy = false.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// TestAccPortGroupPolicy_restore: destroy puts back the policy found before
// create, inheritance included.
func TestAccPortGroupPolicy_restore(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	cfg := e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "wan" {
  host_system_id = %[1]q
  portgroup      = "FW-WAN"
  teaming {
    active_uplinks  = ["vmnic2"]
    standby_uplinks = ["vmnic1"]
  }
}
resource "carp_portgroup_policy" "lan" {
  host_system_id = %[1]q
  portgroup      = "FW-LAN"
}
resource "carp_portgroup_policy" "dv65" {
  distributed_portgroup_id = %[2]q
  teaming { load_balancing = "loadbalance_ip" }
}
resource "carp_portgroup_policy" "dv70" {
  distributed_portgroup_id = %[3]q
  mac_learning { enabled = true }
}`, e.Sim.HostID("esx-01"), e.Sim.DVPortGroupID("fw-65"), e.Sim.DVPortGroupID("fw-70")))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				p := o.PortGroup("esx-01", "FW-WAN")
				if acctest.BoolStr(p.Spec.Policy.Security.AllowPromiscuous) != "true" || p.Spec.Policy.NicTeaming == nil || p.Spec.Policy.NicTeaming.NicOrder == nil {
					return fmt.Errorf("FW-WAN not written: %+v", p.Spec.Policy)
				}
				return nil
			},
			ConfigPlanChecks: acctest.EmptyPlan(),
		}},
		CheckDestroy: func(*terraform.State) error {
			var errs []string
			wan := o.PortGroup("esx-01", "FW-WAN")
			if s := wan.Spec.Policy.Security; s != nil && (s.AllowPromiscuous != nil || s.MacChanges != nil || s.ForgedTransmits != nil) {
				errs = append(errs, fmt.Sprintf("FW-WAN security not inherited again: promisc=%s mac=%s forged=%s", acctest.BoolStr(s.AllowPromiscuous), acctest.BoolStr(s.MacChanges), acctest.BoolStr(s.ForgedTransmits)))
			}
			if tm := wan.Spec.Policy.NicTeaming; tm != nil && tm.NicOrder != nil {
				errs = append(errs, fmt.Sprintf("FW-WAN uplink order not inherited again: %+v", tm.NicOrder))
			}
			lan := o.PortGroup("esx-01", "FW-LAN")
			if s := lan.Spec.Policy.Security; s == nil || acctest.BoolStr(s.AllowPromiscuous) != "false" || s.MacChanges != nil || s.ForgedTransmits != nil {
				errs = append(errs, fmt.Sprintf("FW-LAN not restored to promisc=false, mac/forged inherited: %+v", s))
			}
			_, s65 := o.DVPortGroup("fw-65")
			if sp := s65.SecurityPolicy; sp == nil || !sp.AllowPromiscuous.Inherited || !sp.MacChanges.Inherited || !sp.ForgedTransmits.Inherited {
				errs = append(errs, "fw-65 security not inherited again")
			}
			if tp := s65.UplinkTeamingPolicy; tp == nil || tp.Policy == nil || !tp.Policy.Inherited {
				errs = append(errs, "fw-65 load balancing not inherited again")
			}
			_, s70 := o.DVPortGroup("fw-70")
			if m := s70.MacManagementPolicy; m == nil || !m.Inherited {
				errs = append(errs, fmt.Sprintf("fw-70 MAC management not inherited again: %+v", m))
			}
			if len(errs) > 0 {
				return fmt.Errorf("%s", strings.Join(errs, "; "))
			}
			return nil
		},
	})
}

func TestAccPortGroupPolicy_noRestore(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps:                    []resource.TestStep{{Config: e.StdPolicy("FW-LAN", `restore_on_destroy = false`)}},
		CheckDestroy: func(*terraform.State) error {
			p := o.PortGroup("esx-01", "FW-LAN")
			if s := p.Spec.Policy.Security; acctest.BoolStr(s.AllowPromiscuous) != "true" || acctest.BoolStr(s.MacChanges) != "true" {
				return fmt.Errorf("restore_on_destroy = false, yet FW-LAN changed on destroy: %+v", s)
			}
			return nil
		},
	})
}
