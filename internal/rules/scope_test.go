package rules

import (
	"fmt"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func TestScopeOfAudit(t *testing.T) {
	fws := []string{"vm-31", "vm-32"}
	refs := func(hosts ...string) []PortGroupRef {
		var out []PortGroupRef
		for _, h := range hosts {
			out = append(out, PortGroupRef{HostID: h, Name: "FW-WAN"})
		}
		return out
	}
	cases := []struct {
		name    string
		edit    func(*inventory.Snapshot)
		given   AuditGiven
		pgs     []PortGroupRef
		dvpgs   []string
		hosts   []string
		missing []string
	}{
		{"firewalls alone: every host of their cluster, their port groups", nil,
			AuditGiven{FirewallVMs: fws},
			refs("host-21", "host-22", "host-23"), []string{"dvportgroup-42"}, []string{"host-21", "host-22", "host-23"}, nil},
		{"a host without the port group is not searched for it", func(s *inventory.Snapshot) { s.Hosts[2].PortGroups = nil },
			AuditGiven{FirewallVMs: fws},
			refs("host-21", "host-22"), []string{"dvportgroup-42"}, []string{"host-21", "host-22", "host-23"}, nil},
		{"hosts given: the firewalls' port group names on them, never missing", func(s *inventory.Snapshot) { s.Hosts[1].PortGroups = nil },
			AuditGiven{FirewallVMs: fws, HostIDs: []string{"host-21", "host-22"}},
			refs("host-21"), []string{"dvportgroup-42"}, []string{"host-21", "host-22"}, nil},
		{"hosts given, none with the firewalls' port group: nothing missing", func(s *inventory.Snapshot) { s.Hosts[1].PortGroups = nil },
			AuditGiven{FirewallVMs: fws, HostIDs: []string{"host-22"}},
			nil, []string{"dvportgroup-42"}, []string{"host-22"}, nil},
		{"names given: searched on the firewalls' hosts, a name none has is missing", nil,
			AuditGiven{FirewallVMs: fws, PortGroups: []string{"FW-WAN", "FW-DMZ"}},
			refs("host-21", "host-22", "host-23"), []string{"dvportgroup-42"}, []string{"host-21", "host-22", "host-23"}, []string{"FW-DMZ"}},
		{"empty lists name nothing", nil,
			AuditGiven{FirewallVMs: fws, HostIDs: []string{}, PortGroups: []string{}, DVPortGroupIDs: []string{}},
			nil, []string{}, []string{}, nil},
		{"without firewalls: the lists as given", nil,
			AuditGiven{HostIDs: []string{"host-22"}, PortGroups: []string{"FW-WAN", "Clients"}, DVPortGroupIDs: []string{"dvportgroup-42"}},
			refs("host-22"), []string{"dvportgroup-42"}, []string{"host-22"}, []string{"Clients"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := fwBase()
			if c.edit != nil {
				c.edit(&s)
			}
			c.given.Guest = Scope{VHIDs: 3, Transport: Unicast}
			got := ScopeOfAudit(&s, c.given)
			for _, cmp := range []struct{ what, got, want string }{
				{"port groups", fmt.Sprint(got.PortGroups), fmt.Sprint(c.pgs)},
				{"DV port groups", fmt.Sprint(got.DVPortGroups), fmt.Sprint(c.dvpgs)},
				{"hosts", fmt.Sprint(got.Hosts), fmt.Sprint(c.hosts)},
				{"missing", fmt.Sprint(got.MissingPortGroups), fmt.Sprint(c.missing)},
				{"firewalls", fmt.Sprint(got.FirewallVMs), fmt.Sprint(c.given.FirewallVMs)},
			} {
				if cmp.got != cmp.want {
					t.Errorf("%s = %s, want %s", cmp.what, cmp.got, cmp.want)
				}
			}
			if got.VHIDs != 3 || got.Transport != Unicast {
				t.Errorf("guest not kept: %+v", got.Scope)
			}
		})
	}
}
