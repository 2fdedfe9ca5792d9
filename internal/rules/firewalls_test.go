package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// fwBase is a clean pair: fw-a on esx-01 and fw-b on esx-02 of the DRS
// cluster c1 (three hosts, FW-WAN on VLAN 100 everywhere), each with a NIC
// on FW-WAN and one on port 3 / 4 of the DV port group FW-CORE, which lets
// ports override; the ports inherit; an enabled anti-affinity rule names
// both.
func fwBase() (inventory.Snapshot, Scope) {
	s := base()
	host := func(id, name string) inventory.Host {
		h := s.Hosts[0]
		h.ID, h.Name = id, name
		h.PortGroups = []inventory.PortGroup{{Name: "FW-WAN", VSwitch: "vSwitch0", VLAN: inventory.StandardVLAN(100), Effective: s.Hosts[0].PortGroups[0].Effective}}
		return h
	}
	s.Hosts = []inventory.Host{host("host-21", "esx-01"), host("host-22", "esx-02"), host("host-23", "esx-03")}
	s.DVPortGroups[0].Overrides = inventory.PortOverrides{Security: true, MacManagement: true}
	nics := func(port string, hostID string) []inventory.NIC {
		return []inventory.NIC{
			{Label: "Network adapter 1", Type: "vmxnet3", Network: "FW-WAN", HostID: hostID},
			{Label: "Network adapter 2", Type: "vmxnet3", Network: "dvportgroup-42", DVPortGroupID: "dvportgroup-42", PortKey: port},
		}
	}
	s.VMs = []inventory.VM{
		{ID: "vm-31", Name: "fw-a", HostID: "host-21", NICs: nics("3", "host-21")},
		{ID: "vm-32", Name: "fw-b", HostID: "host-22", NICs: nics("4", "host-22")},
	}
	s.DVPorts = []inventory.DVPort{
		{SwitchID: "dvs-11", Key: "3", PortGroupID: "dvportgroup-42", ConnectedVM: "vm-31"},
		{SwitchID: "dvs-11", Key: "4", PortGroupID: "dvportgroup-42", ConnectedVM: "vm-32"},
	}
	s.Clusters = []inventory.Cluster{{
		ID: "domain-c7", Name: "c1", HostIDs: []string{"host-21", "host-22", "host-23"}, DRSEnabled: true,
		AntiAffinity: []inventory.AntiAffinityRule{{Name: "fw-apart", Enabled: true, VMIDs: []string{"vm-31", "vm-32"}}},
	}}
	return s, Scope{FirewallVMs: []string{"vm-31", "vm-32"}}
}

func TestEvaluateFirewallRules(t *testing.T) {
	port := func(s *inventory.Snapshot) *inventory.DVPort { return &s.DVPorts[0] }
	cases := []struct {
		name  string
		edit  func(*inventory.Snapshot, *Scope)
		want  []string // "CODE object-id"
		kind  string
		sev   Severity
		wants string // the whole first message, when set
	}{
		{"clean", func(*inventory.Snapshot, *Scope) {}, nil, "", "", ""},
		{"015 override allowed but the port inherits", func(s *inventory.Snapshot, _ *Scope) {
			port(s).MacManagement = nil
		}, nil, "", "", ""},
		{"015 port rejects promiscuous", func(s *inventory.Snapshot, _ *Scope) {
			port(s).Security.AllowPromiscuous = bp(false)
		}, []string{"CARP015 dvs-11:3"}, KindDVPort, SeverityError,
			`CARP015 port 3 of port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11): firewall VM fw-a (vm-31) NIC "Network adapter 2" is on it, and the port has its own setting that rejects promiscuous mode where the port group allows it, and the port group lets ports override. ` + rule(CodePortOverrideRejects).plainRemedy()},
		{"015 MAC management overrides all three", func(s *inventory.Snapshot, _ *Scope) {
			port(s).MacManagement = &inventory.PortMacManagement{}
		}, []string{"CARP015 dvs-11:3"}, "", "",
			`CARP015 port 3 of port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11): firewall VM fw-a (vm-31) NIC "Network adapter 2" is on it, and the port has its own setting that rejects promiscuous mode, rejects MAC address changes and rejects forged transmits where the port group allows it, and the port group lets ports override. ` + rule(CodePortOverrideRejects).plainRemedy()},
		{"015 only the deprecated flag allows it", func(s *inventory.Snapshot, _ *Scope) {
			s.DVPortGroups[0].Overrides = inventory.PortOverrides{Security: true}
			port(s).Security.ForgedTransmits = bp(false)
		}, []string{"CARP015 dvs-11:3"}, "", "", ""},
		{"015 override not allowed but the port holds a stale setting", func(s *inventory.Snapshot, _ *Scope) {
			s.DVPortGroups[0].Overrides = inventory.PortOverrides{}
			port(s).MacManagement = &inventory.PortMacManagement{}
			port(s).Security = inventory.Security{AllowPromiscuous: bp(false), MacChanges: bp(false), ForgedTransmits: bp(false)}
		}, nil, "", "", ""},
		{"015 MAC learning turned off on the port", func(s *inventory.Snapshot, _ *Scope) {
			s.DVPortGroups[0].Effective.AllowPromiscuous = false
			s.DVPortGroups[0].MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}
			port(s).MacManagement = &inventory.PortMacManagement{MacChanges: true, ForgedTransmits: true, MacLearning: bp(false)}
		}, []string{"CARP015 dvs-11:3"}, "", "", "turns MAC learning off and rejects promiscuous mode where"},
		{"015 port's MAC learning stands in for promiscuous mode", func(s *inventory.Snapshot, _ *Scope) {
			port(s).MacManagement = &inventory.PortMacManagement{MacChanges: true, ForgedTransmits: true, MacLearning: bp(true)}
		}, nil, "", "", ""},
		{"015 not where the port group rejects too", func(s *inventory.Snapshot, sc *Scope) {
			s.DVPortGroups[0].Effective.MacChanges = false
			port(s).Security.MacChanges = bp(false)
		}, nil, "", "", ""},
		{"015 not for a VM that is not a firewall", func(s *inventory.Snapshot, sc *Scope) {
			sc.FirewallVMs = []string{"vm-32"}
			port(s).Security.AllowPromiscuous = bp(false)
		}, nil, "", "", ""},
		{"016 missing on a cluster host", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[2].PortGroups = nil
		}, []string{"CARP016 host-23:FW-WAN"}, KindPortGroup, SeverityError,
			`CARP016 port group "FW-WAN" on host esx-03 (host-23): firewall VM fw-a (vm-31) NIC "Network adapter 1" uses it with VLAN 100 on esx-01 (host-21) and can run on this host of cluster c1 (domain-c7), but the host has no such port group. Create the port group with the same VLAN setting on every host of the cluster (the vsphere provider's vsphere_host_port_group); for an NSX segment, make every host of the cluster a member of its switch (a transport node of its transport zone).`},
		{"016 other VLAN names both", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[2].PortGroups[0].VLAN = inventory.StandardVLAN(200)
		}, []string{"CARP016 host-23:FW-WAN"}, "", "",
			`CARP016 port group "FW-WAN" on host esx-03 (host-23): firewall VM fw-a (vm-31) NIC "Network adapter 1" uses it with VLAN 100 on esx-01 (host-21) and can run on this host of cluster c1 (domain-c7), but it has VLAN 200 here. Create the port group with the same VLAN setting on every host of the cluster (the vsphere provider's vsphere_host_port_group); for an NSX segment, make every host of the cluster a member of its switch (a transport node of its transport zone).`},
		{"026 a cluster host disconnected: no CARP016 from what vCenter last saw", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[2].Connection = "disconnected"
			s.Hosts[2].PortGroups = nil
		}, []string{"CARP026 host-23"}, KindHost, SeverityError, ""},
		{"026 a firewall's own host not responding: neither its VLAN nor the other firewall's compared with it", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[0].Connection = "notResponding"
			s.Hosts[0].PortGroups[0].VLAN = inventory.StandardVLAN(200)
		}, []string{"CARP026 host-21"}, "", "", ""},
		{"016 standalone host", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters = nil
			s.Hosts[2].PortGroups = nil
			s.Hosts[1].PortGroups[0].VLAN = inventory.StandardVLAN(300)
		}, nil, "", "", ""},
		{"016 VM moved to the odd host", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[2].PortGroups[0].VLAN = inventory.StandardVLAN(200)
			s.VMs[0].HostID, s.VMs[0].NICs[0].HostID = "host-23", "host-23"
			s.VMs = s.VMs[:1]
		}, []string{"CARP016 host-21:FW-WAN", "CARP016 host-22:FW-WAN"}, "", "", ""},
		{"016 not for a distributed NIC or an unread host", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters[0].HostIDs = append(s.Clusters[0].HostIDs, "host-99")
		}, nil, "", "", ""},
		{"017 no anti-affinity rule", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters[0].AntiAffinity = nil
		}, []string{"CARP017 domain-c7"}, KindCluster, SeverityWarning,
			`CARP017 cluster c1 (domain-c7): DRS is enabled and no enabled VM anti-affinity rule names both of firewall VMs fw-a (vm-31) and fw-b (vm-32), so DRS may put them on one host; they need a rule naming fw-a and fw-b. Keep the firewalls of each HA group on different hosts, with an enabled DRS VM anti-affinity rule per group (the vsphere provider's vsphere_compute_cluster_vm_anti_affinity_rule); to audit more than one group at once, give carp_audit the groups in pairs.`},
		{"017 rule disabled", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters[0].AntiAffinity[0].Enabled = false
		}, []string{"CARP017 domain-c7"}, "", "", ""},
		{"017 rule names one of them", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters[0].AntiAffinity[0].VMIDs = []string{"vm-31", "vm-77"}
		}, []string{"CARP017 domain-c7"}, "", "", ""},
		{"017 not without DRS", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters[0].AntiAffinity = nil
			s.Clusters[0].DRSEnabled = false
		}, nil, "", "", ""},
		{"017 same host", func(s *inventory.Snapshot, _ *Scope) {
			s.VMs[1].HostID, s.VMs[1].NICs[0].HostID = "host-21", "host-21"
		}, []string{"CARP017 host-21"}, KindHost, SeverityWarning,
			`CARP017 host esx-01 (host-21): firewall VMs fw-a (vm-31) and fw-b (vm-32) run on this host: one host failure takes the pair down. Keep the firewalls of each HA group on different hosts, with an enabled DRS VM anti-affinity rule per group (the vsphere provider's vsphere_compute_cluster_vm_anti_affinity_rule); to audit more than one group at once, give carp_audit the groups in pairs.`},
		{"017 same standalone host", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters = nil
			s.VMs[1].HostID = "host-21"
		}, []string{"CARP017 host-21"}, "", "", ""},
		{"017 different standalone hosts", func(s *inventory.Snapshot, _ *Scope) { s.Clusters = nil }, nil, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, sc := fwBase()
			tc.edit(&s, &sc)
			checkEvaluate(t, s, sc, tc.want, tc.kind, tc.sev, tc.wants)
		})
	}
}

func TestPlanDVPortGroupPortOverrides(t *testing.T) {
	cases := []struct {
		name  string
		allow *bool
		edit  func(*inventory.Snapshot)
		want  []string
		wants string
	}{
		{"override kept", nil, func(s *inventory.Snapshot) { s.DVPorts[1].Security.MacChanges = bp(false) },
			[]string{"CARP015 dvs-11:4"}, `firewall VM fw-b (vm-32) NIC "Network adapter 2" is on it`},
		{"free port", nil, func(s *inventory.Snapshot) {
			s.DVPorts = append(s.DVPorts, inventory.DVPort{SwitchID: "dvs-11", Key: "9", PortGroupID: "dvportgroup-42",
				Security: inventory.Security{ForgedTransmits: bp(false)}})
		}, []string{"CARP015 dvs-11:9"}, "port 9 of port group \"FW-CORE\" (dvportgroup-42) on dvs-core (dvs-11): the port has its own setting that rejects forged transmits"},
		{"allow_port_overrides = false fixes it", bp(false), func(s *inventory.Snapshot) { s.DVPorts[1].Security.MacChanges = bp(false) }, nil, ""},
		{"allow_port_overrides = true on a port group that disallows", bp(true), func(s *inventory.Snapshot) {
			s.DVPortGroups[0].Overrides = inventory.PortOverrides{}
			s.DVPorts[0].Security.AllowPromiscuous = bp(false)
		}, []string{"CARP015 dvs-11:3"}, ""},
		{"port of another port group", nil, func(s *inventory.Snapshot) {
			s.DVPorts[1].PortGroupID = "dvportgroup-43"
			s.DVPorts[1].Security.MacChanges = bp(false)
		}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := fwBase()
			tc.edit(&s)
			p := allowAll()
			p.AllowPortOverrides = tc.allow
			var got []string
			var msg string
			for _, f := range PlanDVPortGroup(s, "dvportgroup-42", p) {
				if f.Code == "CARP015" {
					got = append(got, f.Code+" "+f.ObjectID)
					msg = f.Message
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("CARP015 findings %v, want %v", got, tc.want)
			}
			if tc.wants != "" && !strings.Contains(msg, tc.wants) {
				t.Errorf("message %q does not contain %q", msg, tc.wants)
			}
		})
	}
}

func TestJoinAnd(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}} {
		if got := joinAnd(tc.in); got != tc.want {
			t.Errorf("joinAnd(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPortOverrides(t *testing.T) {
	s, _ := fwBase()
	if fs := PortOverrides(s, "dvportgroup-42", Scope{}); len(fs) != 0 {
		t.Fatalf("inheriting ports: %v", keys(fs))
	}
	s.DVPorts[1].Security.ForgedTransmits = bp(false)
	if got := keys(PortOverrides(s, "dvportgroup-42", Scope{})); len(got) != 1 || got[0] != "CARP015 dvs-11:4" {
		t.Fatalf("got %v", got)
	}
	s.DVPortGroups[0].Overrides = inventory.PortOverrides{}
	if fs := PortOverrides(s, "dvportgroup-42", Scope{}); len(fs) != 0 {
		t.Fatalf("overrides disallowed: %v", keys(fs))
	}
	if fs := PortOverrides(s, "dvportgroup-404", Scope{}); fs != nil {
		t.Fatalf("unknown port group: %v", fs)
	}
}
