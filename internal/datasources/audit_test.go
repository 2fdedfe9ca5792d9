package datasources_test

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// demoAuditConfig audits the whole demo scenario, the pair fw-a and fw-b
// and the retired fw-old, with extra arguments t (such as unicast = true),
// NSX Manager configured.
func demoAuditConfig(e *acctest.Env, t string) string {
	return e.ProviderBlock(e.NSXLines()...) + fmt.Sprintf(`
data "carp_hosts" "fw" { cluster = "fw-cluster" }

data "carp_audit" "demo" {
  host_system_ids           = data.carp_hosts.fw.hosts[*].id
  portgroups                = ["FW-WAN", "FW-LAN", "FW-SYNC", "FW-DMZ", "Lab-Shared"]
  distributed_portgroup_ids = [%q, %q]
  firewall_vm_ids           = [%q, %q, %q]
  pairs                     = [[%q, %q]]
  %s
}`, e.Sim.DVPortGroupID("FW-LEGACY"), e.Sim.DVPortGroupID("FW-CORE"), e.Sim.VMID("fw-a"), e.Sim.VMID("fw-b"), e.Sim.VMID("fw-old"),
		e.Sim.VMID("fw-a"), e.Sim.VMID("fw-b"), t)
}

// findingsOf reads the findings out of state as "CODE object_id severity".
func findingsOf(s *terraform.State, addr string) ([]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	a := rs.Primary.Attributes
	var n int
	if _, err := fmt.Sscanf(a["findings.#"], "%d", &n); err != nil {
		return nil, fmt.Errorf("findings.# = %q: %w", a["findings.#"], err)
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("findings.%d.", i)
		out = append(out, a[p+"code"]+" "+a[p+"object_id"]+" "+a[p+"severity"])
	}
	return out, nil
}

func TestAccAuditDataSource_demo(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.DemoScenario())
	h1, h2 := e.Sim.HostID("esx-01.lab"), e.Sim.HostID("esx-02.lab")
	_, fwaCorePort, err := e.Sim.NICPort(t.Context(), "fw-a", "Network adapter 3")
	if err != nil {
		t.Fatal(err)
	}
	e.Sim.ResetCalls()
	want := []string{
		"CARP001 " + h1 + ":FW-WAN error",
		"CARP001 " + h2 + ":FW-WAN error",
		"CARP002 " + h1 + ":FW-LAN error",
		"CARP002 " + h2 + ":FW-LAN error",
		// FW-WAN sets only promiscuous; MAC changes and forged transmits
		// inherit Accept, the ESXi default, from vSwitch0: no CARP002/003.
		"CARP003 " + h1 + ":FW-LAN error",
		"CARP003 " + h2 + ":FW-LAN error",
		"CARP004 " + h1 + " error",
		"CARP004 " + h2 + " error",
		"CARP006 " + e.Sim.DVSwitchID("dvs-legacy") + " warning",
		"CARP007 " + e.Sim.DVSwitchID("dvs-core") + " warning",
		"CARP008 " + h2 + ":FW-LAN warning",
		"CARP009 " + h2 + ":vSwitch2 warning",
		// Both DV port groups inherit two active uplinks and port-id hashing.
		"CARP010 " + e.Sim.DVPortGroupID("FW-LEGACY") + " warning",
		"CARP010 " + e.Sim.DVPortGroupID("FW-CORE") + " warning",
		"CARP010 " + h1 + ":FW-LAN warning",
		"CARP010 " + h1 + ":FW-SYNC warning",
		"CARP010 " + h1 + ":FW-WAN warning",
		"CARP010 " + h2 + ":FW-LAN warning",
		"CARP010 " + h2 + ":FW-SYNC warning",
		"CARP010 " + h2 + ":FW-WAN warning",
		"CARP011 " + h1 + ":FW-DMZ warning",
		"CARP011 " + h2 + ":FW-DMZ warning",
		"CARP011 " + h2 + ":Lab-Shared warning",
		"CARP012 " + e.Sim.VMID("fw-old") + " error",
		"CARP013 " + e.Sim.DVPortGroupID("FW-CORE") + " info",
		// fw-a's FW-CORE port rejects promiscuous mode, and FW-CORE lets
		// ports override.
		"CARP015 " + e.Sim.DVSwitchID("dvs-core") + ":" + fwaCorePort + " error",
		// FW-LAN is VLAN 20 on esx-01.lab, 21 on esx-02.lab.
		"CARP016 " + h1 + ":FW-LAN error",
		"CARP016 " + h2 + ":FW-LAN error",
		// DRS, and no anti-affinity rule for the pair; fw-old, no one's
		// pair, shares esx-02.lab with fw-b: no CARP017 for that.
		"CARP017 " + e.Sim.ClusterID("fw-cluster") + " warning",
		// fw-a's NSX port group FW-NSX: its segment binds no profile, and
		// NSX's default MAC discovery profile has MAC learning off.
		"CARP023 " + e.Sim.NSX().PortPath("fw-a", "Network adapter 4") + " error",
	}
	checkFindings := func(want []string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			got, err := findingsOf(s, "data.carp_audit.demo")
			if err != nil {
				return err
			}
			g, w := append([]string(nil), got...), append([]string(nil), want...)
			sort.Strings(g)
			sort.Strings(w)
			if strings.Join(g, "\n") != strings.Join(w, "\n") {
				return fmt.Errorf("findings differ\n got:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
			}
			return nil
		}
	}
	unicast := make([]string, len(want))
	for i, w := range want {
		code := w[:7]
		if code <= "CARP007" {
			w = w[:strings.LastIndex(w, " ")] + " info"
		}
		unicast[i] = w
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config: demoAuditConfig(e, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkFindings(want),
					func(s *terraform.State) error {
						a := s.RootModule().Resources["data.carp_audit.demo"].Primary.Attributes
						for k, v := range a {
							if strings.HasSuffix(k, ".message") && strings.HasPrefix(v, "CARP012") {
								if !strings.Contains(v, `VM fw-old (`+e.Sim.VMID("fw-old")+`): legacy NIC "Network adapter 1" (pcnet32)`) {
									return fmt.Errorf("CARP012 message: %s", v)
								}
								return nil
							}
						}
						return fmt.Errorf("no CARP012 message")
					},
					// One batched snapshot: at most 6 round trips in all.
					e.Diags.ExpectMaxCalls("ReadDataSource", "carp_audit", 6),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.carp_audit.demo", tfjsonpath.New("ready"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.carp_audit.demo", tfjsonpath.New("counts"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"error": knownvalue.Int64Exact(13), "warning": knownvalue.Int64Exact(16), "info": knownvalue.Int64Exact(1),
					})),
					statecheck.ExpectKnownValue("data.carp_audit.demo", tfjsonpath.New("findings").AtSliceIndex(0).AtMapKey("message"),
						knownvalue.StringRegexp(regexp.MustCompile(`^CARP001 port group "FW-WAN" on host esx-01.lab \(`+h1+`\): .*allow_promiscuous = true`))),
				},
			},
			{
				Config: demoAuditConfig(e, "unicast = true"),
				Check:  checkFindings(unicast),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.carp_audit.demo", tfjsonpath.New("ready"), knownvalue.Bool(false)), // CARP012 stays an error
				},
			},
			{
				// the deprecated transport still says the same
				Config: demoAuditConfig(e, `transport = "unicast"`),
				Check:  checkFindings(unicast),
			},
			{
				// without pairs, three firewalls are not told apart
				Config: strings.Replace(demoAuditConfig(e, ""), "pairs ", "# pairs ", 1),
				Check: checkFindings(slices.Concat(slices.DeleteFunc(slices.Clone(want), func(w string) bool { return strings.HasPrefix(w, "CARP017 ") }),
					[]string{"CARP017 " + strings.Join([]string{e.Sim.VMID("fw-a"), e.Sim.VMID("fw-b"), e.Sim.VMID("fw-old")}, ",") + " warning"})),
			},
		},
	})
}

func TestAccAuditDataSource_badInput(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.DemoScenario())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Config(`data "carp_audit" "x" { host_system_ids = ["host-999999"] }`),
				ExpectError: regexp.MustCompile(`(?s)Object not found.*host-999999 does not exist`),
			},
			{
				Config:      e.Config(`data "carp_audit" "x" { distributed_portgroup_ids = ["dvportgroup-999999"] }`),
				ExpectError: regexp.MustCompile(`(?s)dvportgroup-999999 does not exist`),
			},
			{
				Config: e.Config(fmt.Sprintf(`data "carp_audit" "x" {
  host_system_ids = [%q]
  portgroups      = ["FW-NOPE"]
}`, e.Sim.HostID("esx-01.lab"))),
				ExpectError: regexp.MustCompile(`(?s)Port group not found.*"FW-NOPE".*"FW-DMZ"`),
			},
			{
				Config:      e.Config(`data "carp_audit" "x" { transport = "broadcast" }`),
				ExpectError: regexp.MustCompile(`(?s)transport.*multicast.*unicast`),
			},
			{
				Config:      e.Config(`data "carp_audit" "x" { portgroups = ["FW-WAN"] }`),
				ExpectError: regexp.MustCompile(`Port groups without hosts`),
			},
			{
				// Nothing named, nothing found: ready.
				Config: e.Config(`data "carp_audit" "x" {}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.carp_audit.x", tfjsonpath.New("ready"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.carp_audit.x", tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

// TestAccAuditDataSource_ready: ready is false on errors only. An audit
// whose findings are warnings (and infos) is ready; the same audit with
// an error is not.
func TestAccAuditDataSource_ready(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.DemoScenario())
	// esx-01.lab: FW-SYNC (CARP010) and FW-DMZ (CARP011) are warnings; the
	// host's CARP004 is an error with multicast and an info with unicast.
	cfg := func(transport string) string {
		return e.Config(fmt.Sprintf(`
data "carp_audit" "x" {
  host_system_ids = [%q]
  portgroups      = ["FW-SYNC", "FW-DMZ"]
  transport       = %q
}`, e.Sim.HostID("esx-01.lab"), transport))
	}
	check := func(errors int64, ready bool) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.carp_audit.x", tfjsonpath.New("counts"), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"error": knownvalue.Int64Exact(errors), "warning": knownvalue.Int64Exact(2), "info": knownvalue.Int64Exact(1 - errors),
			})),
			statecheck.ExpectKnownValue("data.carp_audit.x", tfjsonpath.New("ready"), knownvalue.Bool(ready)),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg("unicast"), ConfigStateChecks: check(0, true)},
			{Config: cfg("multicast"), ConfigStateChecks: check(1, false)},
		},
	})
}
