package datasources_test

import (
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// firewallPairChecks are the outputs of carp_firewalls for the pair of
// simulator.FirewallPair, whichever way the VMs are named.
func firewallPairChecks(e *acctest.Env, addr string) []statecheck.StateCheck {
	s := e.Sim
	hosts := []string{s.HostID("esx-1"), s.HostID("esx-2"), s.HostID("esx-3")}
	sort.Strings(hosts)
	dvpgs := []string{s.DVPortGroupID("FW-LAN"), s.DVPortGroupID("FW-SYNC")}
	sort.Strings(dvpgs)
	strList := func(l []string) knownvalue.Check {
		c := make([]knownvalue.Check, len(l))
		for i, v := range l {
			c[i] = knownvalue.StringExact(v)
		}
		return knownvalue.ListExact(c)
	}
	var std []knownvalue.Check
	for _, h := range hosts {
		std = append(std, knownvalue.ObjectExact(map[string]knownvalue.Check{"host_system_id": knownvalue.StringExact(h), "portgroup": knownvalue.StringExact("FW-WAN")}))
	}
	nic := func(label, network, dvpg string) knownvalue.Check {
		m := map[string]knownvalue.Check{
			"label": knownvalue.StringExact(label), "type": knownvalue.StringExact("vmxnet3"), "network": knownvalue.StringExact(network),
			"distributed_portgroup_id": knownvalue.Null(), "port_key": knownvalue.Null(),
			"backing": knownvalue.StringExact("standard"), "nsx_segment": knownvalue.Null(),
		}
		if dvpg != "" {
			m["backing"] = knownvalue.StringExact("distributed")
			m["distributed_portgroup_id"] = knownvalue.StringExact(dvpg)
			m["port_key"] = knownvalue.StringRegexp(regexp.MustCompile(`^[0-9]+$`))
		}
		return knownvalue.ObjectExact(m)
	}
	vm := func(name, host string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(s.VMID(name)), "name": knownvalue.StringExact(name), "host_system_id": knownvalue.StringExact(s.HostID(host)),
			"nics": knownvalue.ListExact([]knownvalue.Check{
				nic("Network adapter 1", "FW-WAN", ""),
				nic("Network adapter 2", "FW-LAN", s.DVPortGroupID("FW-LAN")),
				nic("Network adapter 3", "FW-SYNC", s.DVPortGroupID("FW-SYNC")),
			}),
		})
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("vms"), knownvalue.ListExact([]knownvalue.Check{vm("fw-a", "esx-1"), vm("fw-b", "esx-2")})),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("host_system_ids"), strList(hosts)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("standard_portgroups"), knownvalue.ListExact(std)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("distributed_portgroup_ids"), strList(dvpgs)),
	}
}

func TestAccFirewallsDataSource(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.FirewallPair())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config: e.Config(`data "carp_firewalls" "pair" {
  names      = ["fw-a", "fw-b"]
  datacenter = "dc-fw"
}`),
				ConfigStateChecks: firewallPairChecks(e, "data.carp_firewalls.pair"),
				// 2 firewalls x 3 NICs, 3 hosts, 2 switches: budget 6
				Check: resource.ComposeAggregateTestCheckFunc(e.Diags.ExpectMaxCalls("ReadDataSource", "carp_firewalls", 6),
					e.Diags.LogMaxCalls(t, "ReadDataSource", "carp_firewalls")),
			},
			{
				Config:            e.Config(fmt.Sprintf(`data "carp_firewalls" "pair" { vm_ids = [%q, %q] }`, e.Sim.VMID("fw-a"), e.Sim.VMID("fw-b"))),
				ConfigStateChecks: firewallPairChecks(e, "data.carp_firewalls.pair"),
				Check:             e.Diags.ExpectMaxCalls("ReadDataSource", "carp_firewalls", 6),
			},
		},
	})
}

func TestAccFirewallsDataSource_badNames(t *testing.T) {
	t.Parallel()
	sc := simulator.FirewallPair()
	sc.Datacenters = append(sc.Datacenters, simulator.Datacenter{Name: "dc-other", Hosts: []simulator.Host{{Name: "esx-9"}}})
	sc.VMs = append(sc.VMs, simulator.VM{Name: "fw-b", Host: "esx-9"})
	e := acctest.New(t, sc)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Config(`data "carp_firewalls" "pair" { names = ["fw-a", "fw-b"] }`),
				ExpectError: regexp.MustCompile(`(?s)Firewall VM name is ambiguous.*2 VMs named "fw-b" in the inventory: vm-[0-9]+ \(datacenter dc-fw\), vm-[0-9]+\s+\(datacenter dc-other\).*Set datacenter`),
			},
			{
				Config:      e.Config(`data "carp_firewalls" "pair" { names = ["nope"] }`),
				ExpectError: regexp.MustCompile(`(?s)Firewall VM not found.*No VM named "nope" in the inventory`),
			},
			{
				Config:      e.Config(`data "carp_firewalls" "pair" { vm_ids = ["vm-40404"] }`),
				ExpectError: regexp.MustCompile(`(?s)VM not found.*vm-40404 does not exist`),
			},
			{
				Config:      e.Config(`data "carp_firewalls" "pair" {}`),
				ExpectError: regexp.MustCompile(`(?s)names.*vm_ids`),
			},
			{
				// in dc-fw the name is unique (e.Sim.VMID("fw-b") is dc-other's)
				Config: e.Config(`data "carp_firewalls" "pair" {
  names      = ["fw-a", "fw-b"]
  datacenter = "dc-fw"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.carp_firewalls.pair", tfjsonpath.New("vms").AtSliceIndex(1).AtMapKey("host_system_id"), knownvalue.StringExact(e.Sim.HostID("esx-2"))),
				},
			},
		},
	})
	// each error on its attribute
	want := map[string]string{"Firewall VM name is ambiguous": "names[1]", "Firewall VM not found": "names[0]", "VM not found": "vm_ids"}
	for _, d := range e.Diags.All() {
		if at, ok := want[d.Summary]; ok && d.Severity == "error" {
			if d.Attribute != at {
				t.Errorf("%q on %q, want %q", d.Summary, d.Attribute, at)
			}
			delete(want, d.Summary)
		}
	}
	if len(want) > 0 {
		t.Errorf("errors not seen: %v", want)
	}
}
