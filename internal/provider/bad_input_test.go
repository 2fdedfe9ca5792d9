package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// badInputCase is one wrong configuration: the error it must get, and the
// attribute the diagnostic must be scoped to. attr "" asserts that the
// diagnostic has no attribute path, for the errors that have none to point
// at: import ids, and a policy with neither target (the framework's
// ExactlyOneOf names both attributes in its message).
type badInputCase struct {
	name    string
	hcl     func(e *acctest.Env) string // without the provider block; nil with provider
	raw     func(e *acctest.Env) string // a whole configuration, provider block included
	attr    string
	errRE   string
	import_ string // an import id to try instead of a plan
}

func pgHCL(body string) func(e *acctest.Env) string {
	return func(e *acctest.Env) string {
		return fmt.Sprintf("resource \"carp_portgroup_policy\" \"x\" {\n%s\n}", strings.ReplaceAll(body, "HOST", e.Sim.HostID("esx-01.lab")))
	}
}

func hsHCL(body string) func(e *acctest.Env) string {
	return func(e *acctest.Env) string {
		return fmt.Sprintf("resource \"carp_host_settings\" \"x\" {\n%s\n}", strings.ReplaceAll(body, "HOST", e.Sim.HostID("esx-01.lab")))
	}
}

func providerHCL(lines ...string) func(e *acctest.Env) string {
	return func(e *acctest.Env) string {
		server := fmt.Sprintf("vsphere_server = %q", e.Sim.URL.Host)
		for _, l := range lines {
			if strings.HasPrefix(l, "vsphere_server") {
				server = ""
			}
		}
		return fmt.Sprintf("provider \"carp\" {\n  %s\n  user = %q\n  password = %q\n%s\n}\ndata \"carp_hosts\" \"x\" {}\n",
			server, e.Sim.User, e.Sim.Password, strings.Join(lines, "\n"))
	}
}

var badInputCases = []badInputCase{
	// The provider block.
	{name: "server with scheme", raw: providerHCL(`allow_unverified_ssl = true`, `vsphere_server = "https://vc.lab/sdk"`), attr: "vsphere_server", errRE: `give only the host name or host:port`},
	{name: "server with path", raw: providerHCL(`allow_unverified_ssl = true`, `vsphere_server = "vc.lab/sdk"`), attr: "vsphere_server", errRE: `not a host name or host:port`},
	{name: "server port out of range", raw: providerHCL(`allow_unverified_ssl = true`, `vsphere_server = "vc.lab:70000"`), attr: "vsphere_server", errRE: `invalid port`},
	{name: "api_timeout not a duration", raw: providerHCL(`allow_unverified_ssl = true`, `api_timeout = "soon"`), attr: "api_timeout", errRE: `use a Go duration`},
	{name: "api_timeout negative", raw: providerHCL(`allow_unverified_ssl = true`, `api_timeout = "-5s"`), attr: "api_timeout", errRE: `must be positive`},
	{name: "thumbprint too short", raw: providerHCL(`thumbprint = "AB:CD"`), attr: "thumbprint", errRE: `20 \(SHA-1\) or 32 \(SHA-256\)`},
	{name: "thumbprint not hex", raw: providerHCL(`thumbprint = "` + strings.Repeat("ZZ:", 19) + `ZZ"`), attr: "thumbprint", errRE: `not a hex byte`},
	{name: "ca_file missing", raw: providerHCL(`ca_file = "/nonexistent/ca.pem"`), attr: "ca_file", errRE: `Unreadable ca_file`},
	// carp_hosts.
	{name: "unknown datacenter", hcl: func(*acctest.Env) string { return `data "carp_hosts" "x" { datacenter = "dc-nope" }` }, attr: "datacenter", errRE: `Datacenters: "dc-lab"`},
	{name: "unknown cluster", hcl: func(*acctest.Env) string { return `data "carp_hosts" "x" { cluster = "nope" }` }, attr: "cluster", errRE: `Clusters: "fw-cluster"`},
	// carp_audit.
	{name: "audit transport", hcl: func(*acctest.Env) string { return `data "carp_audit" "x" { transport = "broadcast" }` }, attr: "transport", errRE: `\["multicast" "unicast"\]`},
	{name: "audit unknown host", hcl: func(*acctest.Env) string { return `data "carp_audit" "x" { host_system_ids = ["host-404"] }` }, attr: "host_system_ids", errRE: `host-404 does not exist`},
	{name: "audit unknown DV port group", hcl: func(*acctest.Env) string {
		return `data "carp_audit" "x" { distributed_portgroup_ids = ["dvportgroup-404"] }`
	}, attr: "distributed_portgroup_ids", errRE: `dvportgroup-404 does not exist`},
	{name: "audit unknown VM", hcl: func(*acctest.Env) string { return `data "carp_audit" "x" { firewall_vm_ids = ["vm-404"] }` }, attr: "firewall_vm_ids", errRE: `vm-404 does not exist`},
	{name: "audit port group without hosts", hcl: func(*acctest.Env) string { return `data "carp_audit" "x" { portgroups = ["FW-WAN"] }` }, attr: "host_system_ids", errRE: `set host_system_ids too`},
	{name: "audit unknown port group", hcl: func(e *acctest.Env) string {
		return fmt.Sprintf(`data "carp_audit" "x" {
  host_system_ids = [%q]
  portgroups      = ["FW-NOPE"]
}`, e.Sim.HostID("esx-01.lab"))
	}, attr: "portgroups", errRE: `Their port groups: "FW-DMZ"`},
	// carp_host_settings.
	{name: "host id with a space", hcl: hsHCL(`host_system_id = "esx 01"`), attr: "host_system_id", errRE: `Expected a HostSystem managed object id`},
	{name: "host id of a VM", hcl: hsHCL(`host_system_id = "vm-42"`), attr: "host_system_id", errRE: `not of a host`},
	{name: "host id empty", hcl: hsHCL(`host_system_id = ""`), attr: "host_system_id", errRE: `host_system_id is empty`},
	{name: "host not found", hcl: hsHCL(`host_system_id = "host-9999"`), attr: "host_system_id", errRE: `data.carp_hosts`},
	{name: "advanced option unknown", hcl: hsHCL("host_system_id = \"HOST\"\nadvanced_options = { \"Net.NoSuchOption\" = \"1\" }"), attr: `advanced_options["Net.NoSuchOption"]`, errRE: `Net.NoSuchOption`},
	{name: "advanced option wrong type", hcl: hsHCL("host_system_id = \"HOST\"\nadvanced_options = { \"Net.BlockGuestBPDU\" = \"yes\" }"), attr: `advanced_options["Net.BlockGuestBPDU"]`, errRE: `expected an integer`},
	{name: "advanced option out of range", hcl: hsHCL("host_system_id = \"HOST\"\nadvanced_options = { \"Net.BlockGuestBPDU\" = \"7\" }"), attr: `advanced_options["Net.BlockGuestBPDU"]`, errRE: `0 to 1`},
	{name: "host settings import id", hcl: hsHCL(`host_system_id = "HOST"`), import_: "not a moref", errRE: `Invalid import id`},
	// carp_portgroup_policy.
	{name: "both targets", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\ndistributed_portgroup_id = \"dvportgroup-1\""), attr: "host_system_id", errRE: `(?i)exactly one`},
	{name: "no target", hcl: pgHCL(`allow_promiscuous = true`), attr: "", errRE: `Exactly one of these attributes must be configured: \[host_system_id,distributed_portgroup_id\]`},
	{name: "policy host not found", hcl: pgHCL("host_system_id = \"host-9999\"\nportgroup = \"FW-WAN\""), attr: "host_system_id", errRE: `There is no host host-9999`},
	{name: "host without port group", hcl: pgHCL(`host_system_id = "HOST"`), attr: "host_system_id", errRE: `configured together`},
	{name: "unknown port group", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-NOPE\""), attr: "portgroup", errRE: `"FW-DMZ`},
	{name: "unknown DV port group", hcl: pgHCL(`distributed_portgroup_id = "dvportgroup-9999"`), attr: "distributed_portgroup_id", errRE: `dvportgroup-9999`},
	{name: "DV id malformed", hcl: pgHCL(`distributed_portgroup_id = "FW-CORE"`), attr: "distributed_portgroup_id", errRE: `dvportgroup-42`},
	{name: "load balancing enum", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\nteaming {\n  load_balancing = \"roundrobin\"\n}"), attr: "teaming.load_balancing", errRE: `loadbalance_ip`},
	{name: "load-based on a standard switch", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\nteaming {\n  load_balancing = \"loadbalance_loadbased\"\n}"), attr: "teaming.load_balancing", errRE: `needs a distributed switch`},
	{name: "uplink not on the switch", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\nteaming {\n  active_uplinks = [\"vmnic9\"]\n}"), attr: "teaming", errRE: `Valid uplinks: "vmnic0", "vmnic1"`},
	{name: "uplink active and standby", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\nteaming {\n  active_uplinks = [\"vmnic0\"]\n  standby_uplinks = [\"vmnic0\"]\n}"), attr: "teaming.standby_uplinks", errRE: `list it once`},
	{name: "failure detection enum", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\nteaming {\n  failure_detection = \"ping\"\n}"), attr: "teaming.failure_detection", errRE: `link_status`},
	{name: "MAC learning limit", hcl: func(e *acctest.Env) string {
		return fmt.Sprintf("resource \"carp_portgroup_policy\" \"x\" {\n  distributed_portgroup_id = %q\n  mac_learning {\n    enabled = true\n    limit = 5000\n  }\n}", e.Sim.DVPortGroupID("FW-CORE"))
	}, attr: "mac_learning.limit", errRE: `between 1 and 4096`},
	{name: "MAC learning limit policy", hcl: func(e *acctest.Env) string {
		return fmt.Sprintf("resource \"carp_portgroup_policy\" \"x\" {\n  distributed_portgroup_id = %q\n  mac_learning {\n    enabled = true\n    limit_policy = \"maybe\"\n  }\n}", e.Sim.DVPortGroupID("FW-CORE"))
	}, attr: "mac_learning.limit_policy", errRE: `\["allow" "drop"\]`},
	{name: "MAC learning on a standard port group", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\"\nmac_learning {\n  enabled = true\n}"), attr: "mac_learning", errRE: `CARP014`},
	{name: "MAC learning on a 5.0 switch", hcl: func(e *acctest.Env) string {
		return fmt.Sprintf("resource \"carp_portgroup_policy\" \"x\" {\n  distributed_portgroup_id = %q\n  mac_learning {\n    enabled = true\n  }\n}", e.Sim.DVPortGroupID("FW-LEGACY"))
	}, attr: "mac_learning", errRE: `CARP014`},
	{name: "policy import id without port group", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\""), import_: "host-21", errRE: `host-21:FW-WAN`},
	{name: "policy import id of a VM", hcl: pgHCL("host_system_id = \"HOST\"\nportgroup = \"FW-WAN\""), import_: "vm-1", errRE: `dvportgroup-42`},
}

// TestAccBadInput: every wrong value gets a diagnostic scoped to its
// attribute that says what was expected; none makes the provider panic.
func TestAccBadInput(t *testing.T) {
	t.Parallel()
	if len(badInputCases) < 30 {
		t.Fatalf("only %d cases", len(badInputCases))
	}
	var scoped, unscoped atomic.Int64
	for _, tc := range badInputCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, simulator.DemoScenario())
			var cfg string
			switch {
			case tc.raw != nil:
				cfg = tc.raw(e)
			default:
				cfg = e.Config(tc.hcl(e))
			}
			// Terraform wraps long messages: a space may be a line break.
			re := regexp.MustCompile(strings.ReplaceAll(tc.errRE, " ", `\s+`))
			step := resource.TestStep{Config: cfg, ExpectError: re}
			if tc.import_ != "" {
				step = resource.TestStep{Config: cfg, ResourceName: "carp_" + strings.SplitN(strings.SplitN(cfg[strings.Index(cfg, "resource \"carp_")+len("resource \"carp_"):], "\"", 2)[0], " ", 2)[0] + ".x",
					ImportState: true, ImportStateId: tc.import_, ExpectError: re}
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.Factories(), Steps: []resource.TestStep{step}})
			var errs []acctest.Diag
			for _, d := range e.Diags.All() {
				if d.Severity == "error" {
					errs = append(errs, d)
				}
				if strings.Contains(strings.ToLower(d.Summary+d.Detail), "panic") {
					t.Errorf("a diagnostic mentions a panic: %s", d)
				}
			}
			// The diagnostic that says what was expected is the one on the
			// attribute (or, for attr "", one without a path).
			for _, d := range errs {
				if d.Attribute == tc.attr && (re.MatchString(d.Summary) || re.MatchString(d.Detail)) {
					if tc.attr == "" {
						unscoped.Add(1)
					} else {
						scoped.Add(1)
					}
					return
				}
			}
			var got []string
			for _, d := range errs {
				got = append(got, fmt.Sprintf("[%s] %s: %s", d.Attribute, d.Summary, d.Detail))
			}
			t.Errorf("no error diagnostic on attribute %q matching %s; errors:\n%s", tc.attr, re, strings.Join(got, "\n"))
		})
	}
	t.Cleanup(func() {
		t.Logf("bad input: %d cases: %d with the expected diagnostic on its attribute, %d on no attribute (import ids, no target), 0 panics", len(badInputCases), scoped.Load(), unscoped.Load())
	})
}
