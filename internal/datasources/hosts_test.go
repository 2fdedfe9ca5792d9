package datasources_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

func twoDatacenters() simulator.Scenario {
	return simulator.Scenario{Datacenters: []simulator.Datacenter{
		{
			Name: "dc-a",
			Clusters: []simulator.Cluster{
				{Name: "fw", Hosts: []simulator.Host{{Name: "esx-b"}, {Name: "esx-a"}}},
				{Name: "web", Hosts: []simulator.Host{{Name: "esx-c"}}},
			},
			Hosts: []simulator.Host{{Name: "esx-standalone"}},
		},
		{
			Name:     "dc-b",
			Clusters: []simulator.Cluster{{Name: "fw-b", Hosts: []simulator.Host{{Name: "esx-z"}}}},
		},
	}}
}

func hostObj(e *acctest.Env, name, cluster string) knownvalue.Check {
	var c knownvalue.Check = knownvalue.Null()
	if cluster != "" {
		c = knownvalue.StringExact(cluster)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":      knownvalue.StringExact(e.Sim.HostID(name)),
		"name":    knownvalue.StringExact(name),
		"cluster": c,
	})
}

func TestAccHostsDataSource(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, twoDatacenters())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config: e.Config(`
data "carp_hosts" "all" {}
data "carp_hosts" "dc" { datacenter = "dc-a" }
data "carp_hosts" "fw" { cluster = "fw" }
data "carp_hosts" "fw_in_dc" {
  datacenter = "dc-a"
  cluster    = "fw"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.carp_hosts.all", tfjsonpath.New("hosts"), knownvalue.ListExact([]knownvalue.Check{
						hostObj(e, "esx-a", "fw"), hostObj(e, "esx-b", "fw"), hostObj(e, "esx-c", "web"),
						hostObj(e, "esx-standalone", ""), hostObj(e, "esx-z", "fw-b"),
					})),
					statecheck.ExpectKnownValue("data.carp_hosts.dc", tfjsonpath.New("hosts"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue("data.carp_hosts.fw", tfjsonpath.New("hosts"), knownvalue.ListExact([]knownvalue.Check{
						hostObj(e, "esx-a", "fw"), hostObj(e, "esx-b", "fw"),
					})),
					statecheck.ExpectKnownValue("data.carp_hosts.fw_in_dc", tfjsonpath.New("hosts"), knownvalue.ListSizeExact(2)),
				},
			},
		},
	})
}

func TestAccHostsDataSource_notFound(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, twoDatacenters())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Config(`data "carp_hosts" "x" { datacenter = "dc-nope" }`),
				ExpectError: regexp.MustCompile(`(?s)no datacenter "dc-nope".*"dc-a", "dc-b"`),
			},
			{
				Config:      e.Config(`data "carp_hosts" "x" { cluster = "nope" }`),
				ExpectError: regexp.MustCompile(`(?s)no cluster "nope".*"fw", "fw-b", "web"`),
			},
			{
				// The cluster exists, but in the other datacenter.
				Config: e.Config(`data "carp_hosts" "x" {
  datacenter = "dc-b"
  cluster    = "web"
}`),
				ExpectError: regexp.MustCompile(`(?s)no cluster "web" in datacenter\s+"dc-b".*"fw-b"`),
			},
		},
	})
}

// TestAccHostsDataSource_roundTrips asserts the one-round-trip inventory read.
func TestAccHostsDataSource_roundTrips(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, twoDatacenters())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: e.Config(`data "carp_hosts" "all" {}`),
			Check:  e.Diags.ExpectMaxCalls("ReadDataSource", "carp_hosts", 1),
		}},
	})
}
