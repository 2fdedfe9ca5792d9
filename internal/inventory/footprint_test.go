package inventory

import (
	"reflect"
	"testing"
)

func TestFootprintOf(t *testing.T) {
	host := func(id string, pgs ...string) Host {
		h := Host{ID: id, Name: id}
		for _, p := range pgs {
			h.PortGroups = append(h.PortGroups, PortGroup{Name: p})
		}
		return h
	}
	s := Snapshot{
		Hosts:    []Host{host("host-1", "FW-WAN", "Other"), host("host-2", "FW-WAN"), host("host-3"), host("host-9", "FW-WAN")},
		Clusters: []Cluster{{ID: "domain-c1", HostIDs: []string{"host-1", "host-2", "host-3"}}},
		VMs: []VM{
			{ID: "vm-1", HostID: "host-1", NICs: []NIC{{Network: "FW-WAN", HostID: "host-1"}, {Network: "dvportgroup-7", DVPortGroupID: "dvportgroup-7"}}},
			{ID: "vm-2", HostID: "host-9", NICs: []NIC{{Network: "dvportgroup-5", DVPortGroupID: "dvportgroup-5"}}},
			{ID: "vm-3", HostID: "host-2", NICs: []NIC{{Network: "Other", HostID: "host-2"}}},
		},
	}
	cases := []struct {
		name string
		vms  []string
		want Footprint
	}{
		{"cluster", []string{"vm-1"}, Footprint{
			HostIDs:            []string{"host-1", "host-2", "host-3"},
			StandardPortGroups: []HostPortGroup{{"host-1", "FW-WAN"}, {"host-2", "FW-WAN"}},
			DVPortGroupIDs:     []string{"dvportgroup-7"},
		}},
		{"standalone and cluster", []string{"vm-2", "vm-1", "vm-404"}, Footprint{
			HostIDs:            []string{"host-1", "host-2", "host-3", "host-9"},
			StandardPortGroups: []HostPortGroup{{"host-1", "FW-WAN"}, {"host-2", "FW-WAN"}, {"host-9", "FW-WAN"}},
			DVPortGroupIDs:     []string{"dvportgroup-5", "dvportgroup-7"},
		}},
		{"a name on a host that has it only", []string{"vm-3"}, Footprint{
			HostIDs:            []string{"host-1", "host-2", "host-3"},
			StandardPortGroups: []HostPortGroup{{"host-1", "Other"}},
			DVPortGroupIDs:     []string{},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.FootprintOf(tc.vms); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
