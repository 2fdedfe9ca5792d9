package provider_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// The tests in this file guard the toggle's promises, each against one
// realistic bug that no other test caught (see the README's Development
// section on how each was shown to fail).

// writeLog returns the recorded writes of method as "detail" or
// "detail !fault", in order.
func writeLog(e *acctest.Env, method string) []string {
	var out []string
	for _, c := range e.Sim.Calls() {
		if c.Method != method {
			continue
		}
		s := c.Detail
		if c.Fault != "" {
			s += " !" + c.Fault
		}
		out = append(out, s)
	}
	return out
}

// expectWriteLog checks that there are exactly len(want) writes of method
// and that the i-th has every space-separated word of want[i].
func expectWriteLog(e *acctest.Env, method string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := writeLog(e, method)
		ok := len(got) == len(want)
		for i := 0; ok && i < len(want); i++ {
			have := strings.Fields(got[i])
			for _, w := range strings.Fields(want[i]) {
				ok = ok && slices.Contains(have, w)
			}
		}
		if !ok {
			return fmt.Errorf("%s calls:\n  %s\nwant (each containing):\n  %s", method, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		return nil
	}
}

// TestAccToggle_restoreRetried: exactly one fault on the restoring write of
// a toggle is absorbed by its retry: the apply succeeds and promiscuous
// mode is back on. (Bug guarded: the restoring write made once, not
// through vsphere.Retry.)
func TestAccToggle_restoreRetried(t *testing.T) {
	cases := []struct {
		name   string
		sc     func() simulator.Scenario
		method string
		cfg    func(e *acctest.Env, trigger string) string
		want   []string // the write log of the faulted apply
		after  func(t *testing.T, e *acctest.Env) string
	}{
		{
			name: "standard port group", sc: acctest.PolicyScenario, method: "UpdatePortGroup",
			cfg: func(e *acctest.Env, trigger string) string {
				return e.StdPolicy("FW-WAN", `toggle_on_apply = true`, fmt.Sprintf(`toggle_triggers = { t = %q }`, trigger))
			},
			want: []string{"FW-WAN promisc=false", "FW-WAN promisc=true mac=true forged=true !SystemError", "FW-WAN promisc=true mac=true forged=true"},
			after: func(t *testing.T, e *acctest.Env) string {
				p := e.OOB().PortGroup("esx-01", "FW-WAN")
				return "promisc=" + acctest.BoolStr(p.Spec.Policy.Security.AllowPromiscuous)
			},
		},
		{
			name: "distributed port group", sc: acctest.PolicyScenario, method: "ReconfigureDVPortgroup_Task",
			cfg: func(e *acctest.Env, trigger string) string {
				return e.DVPolicy("fw-65", `toggle_on_apply = true`, fmt.Sprintf(`toggle_triggers = { t = %q }`, trigger))
			},
			want: []string{"promisc=false", "promisc=true mac=true forged=true !SystemError", "promisc=true mac=true forged=true"},
			after: func(t *testing.T, e *acctest.Env) string {
				_, s := e.OOB().DVPortGroup("fw-65")
				if s == nil || s.SecurityPolicy == nil || s.SecurityPolicy.AllowPromiscuous == nil {
					return "promisc=inherit"
				}
				return "promisc=" + acctest.BoolStr(s.SecurityPolicy.AllowPromiscuous.Value)
			},
		},
		{
			name: "host settings", sc: acctest.HostScenario, method: "UpdatePortGroup",
			cfg: func(e *acctest.Env, trigger string) string {
				rpf := map[string]string{"1": "false", "2": "true"}[trigger]
				return e.Config(acctest.HostSettingsHCL(e.Sim.HostID("esx-01"), "reverse_path_fwd_check_promisc = "+rpf, "toggle_promiscuous_on_apply = true"))
			},
			want: []string{"FW-SYNC promisc=false", "FW-SYNC promisc=inherit !SystemError", "FW-SYNC promisc=inherit", "FW-WAN promisc=false", "FW-WAN promisc=true"},
			after: func(t *testing.T, e *acctest.Env) string {
				return strings.Fields(e.OOB().PortGroupSecurity("esx-01", "FW-SYNC"))[0]
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, tc.sc())
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{
					{Config: tc.cfg(e, "1")},
					{
						PreConfig: func() {
							e.Reset()
							e.Sim.FailCall(tc.method, "", 2, &types.SystemError{Reason: "injected: one fault on the restoring write"})
						},
						Config: tc.cfg(e, "2"),
						Check: resource.ComposeAggregateTestCheckFunc(
							expectWriteLog(e, tc.method, tc.want...),
							func(*terraform.State) error {
								if got := tc.after(t, e); got == "promisc=false" {
									return fmt.Errorf("after the absorbed fault the port group is %s", got)
								}
								return nil
							},
						),
						ConfigPlanChecks: acctest.EmptyPlan(),
					},
				},
			})
		})
	}
}

// TestAccToggle_firstWriteFails: when the first write of a toggle
// (promiscuous mode off) fails, the desired policy is written all the same
// (the first write may have landed: toggleWrites), and the error says the
// toggle did not take place and promiscuous mode is not left off, which
// the simulator confirms. (Bug guarded: toggleWrites returning on the
// first write's error.)
func TestAccToggle_firstWriteFails(t *testing.T) {
	cases := []struct {
		name, method string
		cfg          func(e *acctest.Env, body ...string) string
		read         func(t *testing.T, e *acctest.Env) string
		want         []string
	}{
		{
			name: "standard port group", method: "UpdatePortGroup",
			cfg: func(e *acctest.Env, body ...string) string { return e.StdPolicy("FW-WAN", body...) },
			read: func(t *testing.T, e *acctest.Env) string {
				p := e.OOB().PortGroup("esx-01", "FW-WAN")
				s := p.Spec.Policy.Security
				return fmt.Sprintf("promisc=%s mac=%s", acctest.BoolStr(s.AllowPromiscuous), acctest.BoolStr(s.MacChanges))
			},
			want: []string{"FW-WAN promisc=false mac=true forged=true !SystemError", "FW-WAN promisc=true mac=false forged=true"},
		},
		{
			name: "distributed port group", method: "ReconfigureDVPortgroup_Task",
			cfg: func(e *acctest.Env, body ...string) string { return e.DVPolicy("fw-65", body...) },
			read: func(t *testing.T, e *acctest.Env) string {
				_, s := e.OOB().DVPortGroup("fw-65")
				if s == nil || s.SecurityPolicy == nil || s.SecurityPolicy.AllowPromiscuous == nil || s.SecurityPolicy.MacChanges == nil {
					return "unset"
				}
				return fmt.Sprintf("promisc=%s mac=%s", acctest.BoolStr(s.SecurityPolicy.AllowPromiscuous.Value), acctest.BoolStr(s.SecurityPolicy.MacChanges.Value))
			},
			want: []string{"promisc=false mac=true forged=true !SystemError", "promisc=true mac=false forged=true"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, acctest.PolicyScenario())
			want := tc.cfg(e, `toggle_on_apply = true`, `allow_mac_changes = false`)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{
					{Config: tc.cfg(e, `toggle_on_apply = true`)},
					{
						PreConfig: func() {
							e.Reset()
							e.Sim.FailCall(tc.method, "", 1, &types.SystemError{Reason: "injected: the first write of the toggle fails"})
						},
						Config:      want,
						ExpectError: regexp.MustCompile(`(?s)Promiscuous mode toggle failed.*toggle\s+did\s+not\s+take\s+place\s+\(the\s+desired\s+policy\s+was\s+written\).*SystemError.*It\s+is\s+not\s+left\s+off`),
					},
					{
						PreConfig: func() {
							if err := expectWriteLog(e, tc.method, tc.want...)(nil); err != nil {
								t.Errorf("the failed apply: %v", err)
							}
							if got := tc.read(t, e); got != "promisc=true mac=false" {
								t.Errorf("after the failed apply the port group is %s, want the desired policy promisc=true mac=false", got)
							}
						},
						Config:            want,
						ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("allow_mac_changes", knownvalue.Bool(false))},
					},
				},
			})
		})
	}
}

// TestAccToggle_hazardDriftStandard: with toggle_on_apply, an out-of-band
// change of Net.ReversePathFwdCheckPromisc under a standard port group
// makes the next plan toggle again. (Bug guarded: hazard drift checked for
// distributed port groups only.)
func TestAccToggle_hazardDriftStandard(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	cfg := e.StdPolicy("FW-WAN", `toggle_on_apply = true`)
	hazards := func(v string) statecheck.StateCheck {
		return acctest.ExpectPolicy("toggle_hazards", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(v)}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{hazards("rpf=1")}, ConfigPlanChecks: acctest.EmptyPlan()},
			{
				PreConfig: func() {
					o.SetHostOption("esx-01", inventory.OptionRPFKey, int64(0))
					e.Reset()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{hazards("rpf=0")},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("Toggle hazards changed", "rpf=1", "rpf=0"),
					e.ExpectPortGroupWrites("FW-WAN promisc=false", "FW-WAN promisc=true mac=true forged=true"),
				),
			},
		},
	})
}

// contentionHost carries six port groups that accept promiscuous mode
// themselves, so a host toggle writes each of them.
func contentionHost() simulator.Scenario {
	var pgs []simulator.PortGroup
	for i := 1; i <= 6; i++ {
		pgs = append(pgs, simulator.PortGroup{Name: fmt.Sprintf("FW-%d", i), VLAN: int32(10 * i), Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true), MacChanges: inventory.Ptr(true), ForgedTransmits: inventory.Ptr(true)}})
	}
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name:  "dc",
		Hosts: []simulator.Host{{Name: "esx-01", VSwitches: []simulator.VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0"}, PortGroups: pgs}}}},
	}}}
}

// TestAccConcurrency_sameHost: carp_host_settings toggles every promiscuous
// port group of its host while six carp_portgroup_policy resources change
// those same port groups, all at once (no dependency between them, one
// provider process, a delay per SOAP call so that the writes overlap).
// Each apply must keep every policy's change (a toggle that read a port
// group's spec before a policy wrote it would write it back: a lost
// update, seen as a diff in the plan after the apply), and promiscuous
// mode on. (Bug guarded: per-object locks that lock nothing.)
func TestAccConcurrency_sameHost(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, contentionHost())
	e.Sim.SetDelay(5 * time.Millisecond)
	host := e.Sim.HostID("esx-01")
	cfg := func(round int) string {
		return e.Config(acctest.HostSettingsHCL(host, fmt.Sprintf("reverse_path_fwd_check_promisc = %t", round%2 == 1), "toggle_promiscuous_on_apply = true") + fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  count             = 6
  host_system_id    = %q
  portgroup         = "FW-${count.index + 1}"
  allow_mac_changes = %t
}`, host, round%2 == 1))
	}
	check := func(round int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			var bad []string
			for i := 1; i <= 6; i++ {
				pg := fmt.Sprintf("FW-%d", i)
				want := fmt.Sprintf("promisc=true mac=%t forged=true", round%2 == 1)
				if got := e.OOB().PortGroupSecurity("esx-01", pg); !strings.HasPrefix(got, want) {
					bad = append(bad, fmt.Sprintf("%s is %s, want %s", pg, got, want))
				}
			}
			if n := len(writeLog(e, "UpdatePortGroup")); round > 0 && n < 18 {
				bad = append(bad, fmt.Sprintf("%d port group writes, want 18 or more (6 policies, 6 toggles of 2)", n))
			}
			for _, d := range e.Diags.All() {
				if strings.Contains(d.Summary+d.Detail, "ConcurrentAccess") {
					bad = append(bad, "ConcurrentAccess reached the user: "+d.String())
				}
			}
			if len(bad) > 0 {
				return fmt.Errorf("round %d:\n  %s", round, strings.Join(bad, "\n  "))
			}
			return nil
		}
	}
	var steps []resource.TestStep
	for round := 0; round < 4; round++ {
		steps = append(steps, resource.TestStep{PreConfig: e.Reset, Config: cfg(round), Check: check(round)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.Factories(), Steps: steps})
}
