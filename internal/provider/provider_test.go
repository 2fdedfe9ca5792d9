package provider_test

import (
	"fmt"
	"net"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

func oneHost() simulator.Scenario {
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name:     "dc",
		Clusters: []simulator.Cluster{{Name: "c", Hosts: []simulator.Host{{Name: "esx-1"}}}},
	}}}
}

const oneHostsRead = `data "carp_hosts" "all" {}`

func hostsCount(n int) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data.carp_hosts.all", tfjsonpath.New("hosts"), knownvalue.ListSizeExact(n))
}

// providerCfg builds a provider block by hand, for the cases the harness's
// default block would hide.
func providerCfg(lines ...string) string {
	s := "provider \"carp\" {\n"
	for _, l := range lines {
		s += "  " + l + "\n"
	}
	return s + "}\n" + oneHostsRead
}

func TestAccProvider_connection(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, oneHost())
	host, user, pass := e.Sim.URL.Host, e.Sim.User, e.Sim.Password
	srv := fmt.Sprintf("vsphere_server = %q", host)
	cred := []string{fmt.Sprintf("user = %q", user), fmt.Sprintf("password = %q", pass)}

	// A port on loopback where nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := l.Addr().String()
	_ = l.Close()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				// Thumbprint pinning: the right thumbprint connects with
				// verification on, costing 2 round trips at start.
				Config:            providerCfg(append(cred, srv, fmt.Sprintf("thumbprint = %q", e.Sim.Thumbprint))...),
				ConfigStateChecks: []statecheck.StateCheck{hostsCount(1)},
				Check:             e.Diags.ExpectMaxCalls("ConfigureProvider", "", 2),
			},
			{
				// CA bundle: trusting the simulator's certificate.
				Config:            providerCfg(append(cred, srv, fmt.Sprintf("ca_file = %q", e.Sim.CAFile))...),
				ConfigStateChecks: []statecheck.StateCheck{hostsCount(1)},
			},
			{
				Config:      providerCfg(append(cred, srv)...),
				ExpectError: regexp.MustCompile(`(?s)Untrusted vSphere certificate.*ca_file.*thumbprint.*allow_unverified_ssl`),
			},
			{
				Config: providerCfg(append(cred, srv, `thumbprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"`)...),
				ExpectError: regexp.MustCompile(`(?s)thumbprint mismatch.*` + regexp.QuoteMeta(e.Sim.Thumbprint) +
					`.*00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33`),
			},
			{
				Config:      providerCfg(srv, fmt.Sprintf("user = %q", user), `password = "wrong"`, "allow_unverified_ssl = true"),
				ExpectError: regexp.MustCompile(`(?s)vSphere rejected the credentials.*user and password`),
			},
			{
				Config:      providerCfg(append(cred, fmt.Sprintf("vsphere_server = %q", deadAddr), "allow_unverified_ssl = true", `api_timeout = "10s"`)...),
				ExpectError: regexp.MustCompile(`(?s)vSphere server unreachable.*` + regexp.QuoteMeta(deadAddr)),
			},
			{
				Config:      providerCfg(append(cred, `vsphere_server = "https://vc.example/sdk"`, "allow_unverified_ssl = true")...),
				ExpectError: regexp.MustCompile(`(?s)Invalid vsphere_server.*has a scheme`),
			},
			{
				Config:      providerCfg(append(cred, srv, "allow_unverified_ssl = true", `api_timeout = "soon"`)...),
				ExpectError: regexp.MustCompile(`(?s)Invalid api_timeout.*"soon" is not a duration`),
			},
			{
				Config:      providerCfg(append(cred, srv, `thumbprint = "AB:CD"`)...),
				ExpectError: regexp.MustCompile(`(?s)Invalid thumbprint.*colon-separated hex`),
			},
			{
				// Verification is on by default: the harness's block sets
				// allow_unverified_ssl only because the simulator's
				// certificate is self-signed.
				Config:            e.Config(oneHostsRead),
				ConfigStateChecks: []statecheck.StateCheck{hostsCount(1)},
			},
		},
	})
}

// TestAccProvider_envFallback cannot run in parallel: it sets the process
// environment.
func TestAccProvider_envFallback(t *testing.T) {
	e := acctest.New(t, oneHost())
	for k, v := range e.Sim.Env() {
		t.Setenv(k, v)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:            `provider "carp" {}` + "\n" + oneHostsRead,
				ConfigStateChecks: []statecheck.StateCheck{hostsCount(1)},
			},
			{
				// The block wins over the environment.
				Config:      `provider "carp" { password = "wrong" }` + "\n" + oneHostsRead,
				ExpectError: regexp.MustCompile(`vSphere rejected the credentials`),
			},
			{
				PreConfig:   func() { t.Setenv("VSPHERE_ALLOW_UNVERIFIED_SSL", "maybe") },
				Config:      `provider "carp" {}` + "\n" + oneHostsRead,
				ExpectError: regexp.MustCompile(`(?s)VSPHERE_ALLOW_UNVERIFIED_SSL="maybe" is not a boolean`),
			},
			{
				PreConfig: func() {
					t.Setenv("VSPHERE_ALLOW_UNVERIFIED_SSL", "true")
					t.Setenv("VSPHERE_PASSWORD", "")
				},
				Config:      `provider "carp" {}` + "\n" + oneHostsRead,
				ExpectError: regexp.MustCompile(`(?s)Missing password.*VSPHERE_PASSWORD`),
			},
			{
				PreConfig:         func() { t.Setenv("VSPHERE_PASSWORD", e.Sim.Password) },
				Config:            `provider "carp" {}` + "\n" + oneHostsRead,
				ConfigStateChecks: []statecheck.StateCheck{hostsCount(1)},
			},
		},
	})
}
