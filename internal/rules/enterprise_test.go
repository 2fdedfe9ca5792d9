package rules

import (
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// lagBase is base() with dvs-11 on enhanced LACP: LAG lag1 of two links
// (srcDestIpTcpUdpPortVlan) and lag-one of one link; FW-CORE's active
// uplinks are lag1 alone, with load balancing srcid, which the LAG makes
// moot, and it learns MACs (4096, drop, flooding) instead of accepting
// promiscuous mode.
func lagBase() (inventory.Snapshot, Scope) {
	s := base()
	sw := &s.DVSwitches[0]
	sw.Version = "7.0.0"
	sw.LACPVersion = "multipleLag"
	sw.LAGs = []inventory.LAG{
		{Key: "lag-key-1", Name: "lag1", Mode: "active", Uplinks: 2, Algorithm: "srcDestIpTcpUdpPortVlan"},
		{Key: "lag-key-2", Name: "lag-one", Mode: "active", Uplinks: 1, Algorithm: "srcMac"},
	}
	pg := &s.DVPortGroups[0]
	pg.Effective.LoadBalancing = inventory.LBSrcID
	pg.Effective.ActiveUplinks = []string{"lag1"}
	pg.Effective.StandbyUplinks = nil
	// MAC learning instead of promiscuous mode (no CARP001, no CARP013)
	pg.Effective.AllowPromiscuous = false
	pg.Effective.MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 4096, LimitPolicy: "drop"}
	sc := baseScope()
	sc.PortGroups = nil
	return s, sc
}

func TestEnterpriseRules(t *testing.T) {
	dvpg := func(s *inventory.Snapshot) *inventory.DVPortGroup { return &s.DVPortGroups[0] }
	learn := func(s *inventory.Snapshot, limit int32, policy string, flood bool) {
		dvpg(s).Effective.AllowPromiscuous = false
		dvpg(s).MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: flood, Limit: limit, LimitPolicy: policy}
	}
	cases := []struct {
		name  string
		edit  func(*inventory.Snapshot, *Scope)
		want  []string
		kind  string
		sev   Severity
		wants string
	}{
		{"LAG alone: no 010, no 011", func(*inventory.Snapshot, *Scope) {}, nil, "", "", ""},
		{"LAG with a standby standalone uplink: no 010, 011, 018", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.StandbyUplinks = []string{"uplink1"}
		}, nil, "", "", ""},
		{"LAG of one link is a single uplink", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.ActiveUplinks = []string{"lag-one"}
		}, []string{"CARP011 dvportgroup-42"}, KindDVPortGroup, SeverityWarning, "one active uplink (LAG lag-one (1 link, hashing by srcMac)) and no standby"},
		{"018 LAG and standalone active, 010 names the LAG", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.ActiveUplinks = []string{"lag1", "uplink2"}
		}, []string{"CARP010 dvportgroup-42", "CARP018 dvportgroup-42"}, KindDVPortGroup, SeverityWarning,
			"2 active uplinks (lag1, uplink2) with load balancing loadbalance_srcid; LAG lag1 (2 links, hashing by srcDestIpTcpUdpPortVlan) hashes by its own algorithm"},
		{"018 with IP hash: no 010", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.ActiveUplinks = []string{"uplink2", "lag1"}
			dvpg(s).Effective.LoadBalancing = inventory.LBIPHash
		}, []string{"CARP018 dvportgroup-42"}, KindDVPortGroup, SeverityWarning,
			`CARP018 port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11): LAG lag1 (2 links, hashing by srcDestIpTcpUdpPortVlan) and standalone uplink uplink2 are active together`},
		{"an uplink named like no LAG is standalone", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.ActiveUplinks = []string{"lag9", "uplink2"}
		}, []string{"CARP010 dvportgroup-42"}, "", "", ""},
		{"019 limit 1 with drop and 1 VHID", func(s *inventory.Snapshot, _ *Scope) { learn(s, 1, "drop", true) },
			[]string{"CARP019 dvportgroup-42"}, KindDVPortGroup, SeverityError,
			"past a limit of 1 per port, below the 2 a firewall NIC needs (its own MAC and 1 virtual MAC)"},
		{"019 not with allow", func(s *inventory.Snapshot, _ *Scope) { learn(s, 1, "allow", true) }, nil, "", "", ""},
		{"019 not at the limit", func(s *inventory.Snapshot, _ *Scope) { learn(s, 2, "drop", true) }, nil, "", "", ""},
		{"019 counts the VHIDs", func(s *inventory.Snapshot, sc *Scope) {
			learn(s, 3, "drop", true)
			sc.VHIDs = 3
		}, []string{"CARP019 dvportgroup-42"}, "", "", "below the 4 a firewall NIC needs (its own MAC and 3 virtual MACs, one per VHID or VRID)"},
		{"019 not while MAC learning is off", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.AllowPromiscuous = true
			dvpg(s).MacLearning = &inventory.MacLearning{Enabled: false, AllowUnicastFlooding: false, Limit: 1, LimitPolicy: "drop"}
		}, []string{"CARP013 dvportgroup-42"}, "", "", ""},
		{"019 not on a limit not read", func(s *inventory.Snapshot, _ *Scope) { learn(s, 0, "drop", true) }, nil, "", "", ""},
		{"019 on the switch's MAC learning the port group inherits", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 1, LimitPolicy: "drop"}
		}, []string{"CARP019 dvportgroup-42"}, "", "", ""},
		{"020 flooding off, multicast: warning", func(s *inventory.Snapshot, _ *Scope) { learn(s, 4096, "drop", false) },
			[]string{"CARP020 dvportgroup-42"}, KindDVPortGroup, SeverityWarning, "unknown-unicast flooding is off"},
		{"020 flooding off, unicast: error", func(s *inventory.Snapshot, sc *Scope) {
			learn(s, 4096, "drop", false)
			sc.Transport = Unicast
		}, []string{"CARP020 dvportgroup-42"}, "", SeverityError, "with unicast CARP, which advertises from the NIC's own MAC"},
		{"020 not with flooding on", func(s *inventory.Snapshot, sc *Scope) {
			learn(s, 4096, "drop", true)
			sc.Transport = Unicast
		}, nil, "", "", ""},
		{"021 port group policies disagree", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Legacy = &inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(false)}
		}, []string{"CARP021 dvportgroup-42"}, KindDVPortGroup, SeverityWarning,
			"disagree on promiscuous mode (macManagementPolicy rejects, securityPolicy accepts) and forged transmits (macManagementPolicy accepts, securityPolicy rejects); the host applies macManagementPolicy"},
		{"021 verdict follows macManagementPolicy", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.MacLearning = nil
			dvpg(s).Legacy = &inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}
		}, []string{"CARP001 dvportgroup-42", "CARP021 dvportgroup-42"}, "", "", ""},
		{"021 not when they agree", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Legacy = &inventory.Security{AllowPromiscuous: bp(false), MacChanges: bp(true), ForgedTransmits: bp(true)}
		}, nil, "", "", ""},
		{"interface VIP: rejecting all three is ready", func(s *inventory.Snapshot, sc *Scope) {
			e := &dvpg(s).Effective
			e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits, e.MacLearning = false, false, false, nil
			sc.VIPMac = VIPInterface
		}, nil, "", "", ""},
		{"interface VIP: no 019, 020; 018 and 021 stay", func(s *inventory.Snapshot, sc *Scope) {
			learn(s, 1, "drop", false)
			dvpg(s).Effective.ActiveUplinks = []string{"lag1", "uplink2"}
			dvpg(s).Effective.LoadBalancing = inventory.LBIPHash
			dvpg(s).Legacy = &inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}
			sc.VIPMac = VIPInterface
		}, []string{"CARP018 dvportgroup-42", "CARP021 dvportgroup-42"}, "", "", ""},
		{"virtual VIP: the same port group fails", func(s *inventory.Snapshot, sc *Scope) {
			e := &dvpg(s).Effective
			e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits, e.MacLearning = false, false, false, nil
			sc.VIPMac = VIPVirtual
		}, []string{"CARP001 dvportgroup-42", "CARP002 dvportgroup-42", "CARP003 dvportgroup-42"}, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, sc := lagBase()
			c.edit(&s, &sc)
			checkEvaluate(t, s, sc, c.want, c.kind, c.sev, c.wants)
		})
	}
}

// TestVLANShapes: CARP016 compares VLAN settings by shape and names them;
// CARP008 on a trunk says every VLAN is exposed.
func TestVLANShapes(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*inventory.Snapshot, *Scope)
		want  []string
		wants string
	}{
		{"trunk on one host, VLAN 100 on the others", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[2].PortGroups[0].VLAN = inventory.StandardVLAN(inventory.VLANAll)
		}, []string{"CARP016 host-23:FW-WAN"}, "uses it with VLAN 100 on esx-01 (host-21) and can run on this host of cluster c1 (domain-c7), but it has VLAN trunk (all VLANs) here. Create the port group with the same VLAN setting"},
		{"trunks on every host", func(s *inventory.Snapshot, _ *Scope) {
			for i := range s.Hosts {
				s.Hosts[i].PortGroups[0].VLAN = inventory.StandardVLAN(inventory.VLANAll)
			}
		}, nil, ""},
		{"no VLAN differs from VLAN 100, seen from each firewall", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[1].PortGroups[0].VLAN = inventory.StandardVLAN(0)
		}, []string{"CARP016 host-21:FW-WAN", "CARP016 host-22:FW-WAN", "CARP016 host-23:FW-WAN"}, "uses it with VLAN none on esx-02 (host-22)"},
		{"008 on a trunk exposes every VLAN", func(s *inventory.Snapshot, sc *Scope) {
			s.DVPortGroups[0].VLAN = inventory.TrunkVLAN([]inventory.VLANRange{{Start: 300, End: 300}, {Start: 100, End: 200}})
			s.VMs = append(s.VMs, inventory.VM{ID: "vm-50", Name: "app-01", NICs: []inventory.NIC{{Label: "Network adapter 1", Network: "dvportgroup-42", DVPortGroupID: "dvportgroup-42"}}})
			sc.DVPortGroups = []string{"dvportgroup-42"}
		}, []string{"CARP008 dvportgroup-42"}, "the port group is a VLAN trunk (VLAN trunk 100-200,300), so promiscuous mode exposes every VLAN of the trunk"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, sc := fwBase()
			c.edit(&s, &sc)
			checkEvaluate(t, s, sc, c.want, "", "", c.wants)
		})
	}
}

// pairsBase is fwBase with a second pair, fw-c and fw-d, on esx-01 and
// esx-02 as well, and an anti-affinity rule per pair.
func pairsBase() (inventory.Snapshot, Scope) {
	s, sc := fwBase()
	s.VMs = append(s.VMs,
		inventory.VM{ID: "vm-33", Name: "fw-c", HostID: "host-21"},
		inventory.VM{ID: "vm-34", Name: "fw-d", HostID: "host-22"})
	s.Clusters[0].AntiAffinity = append(s.Clusters[0].AntiAffinity,
		inventory.AntiAffinityRule{Name: "fw-cd-apart", Enabled: true, VMIDs: []string{"vm-33", "vm-34"}})
	sc.FirewallVMs = []string{"vm-31", "vm-32", "vm-33", "vm-34"}
	sc.Pairs = [][]string{{"vm-31", "vm-32"}, {"vm-33", "vm-34"}}
	return s, sc
}

func TestPairs(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*inventory.Snapshot, *Scope)
		want  []string
		kind  string
		wants string
	}{
		{"two pairs, each apart with its rule: no 017", func(*inventory.Snapshot, *Scope) {}, nil, "", ""},
		{"one pair's members on one host: 017 for that pair only", func(s *inventory.Snapshot, _ *Scope) {
			s.VMs[3].HostID = "host-21"
		}, []string{"CARP017 host-21"}, KindHost, "firewall VMs fw-c (vm-33) and fw-d (vm-34) run on this host"},
		{"both pairs on one host: one finding naming both", func(s *inventory.Snapshot, _ *Scope) {
			s.VMs[1].HostID, s.VMs[3].HostID = "host-21", "host-21"
		}, []string{"CARP017 host-21"}, KindHost, "fw-a (vm-31) and fw-b (vm-32); and fw-c (vm-33) and fw-d (vm-34) (each one HA group)"},
		{"no rules: one rule asked per pair", func(s *inventory.Snapshot, _ *Scope) {
			s.Clusters[0].AntiAffinity = nil
		}, []string{"CARP017 domain-c7"}, KindCluster,
			"they need a rule per HA group: one naming fw-a and fw-b; one naming fw-c and fw-d. Keep the firewalls"},
		{"more than two and no pairs: not told apart", func(_ *inventory.Snapshot, sc *Scope) {
			sc.Pairs = nil
		}, []string{"CARP017 vm-31,vm-32,vm-33,vm-34"}, KindFirewalls,
			"CARP017 firewall VMs fw-a (vm-31), fw-b (vm-32), fw-c (vm-33) and fw-d (vm-34): 4 firewall VMs and no pairs"},
		{"a pair and a standalone firewall: the pair only", func(s *inventory.Snapshot, sc *Scope) {
			s.VMs[2].HostID = "host-22" // fw-c alone, with fw-b
			sc.Pairs = [][]string{{"vm-31", "vm-32"}}
		}, nil, "", ""},
		{"two firewalls and no pairs are the pair", func(s *inventory.Snapshot, sc *Scope) {
			s.VMs = s.VMs[:2]
			s.VMs[1].HostID = "host-21"
			sc.FirewallVMs, sc.Pairs = []string{"vm-31", "vm-32"}, nil
		}, []string{"CARP017 host-21"}, KindHost, ""},
		{"a group of one is not judged", func(s *inventory.Snapshot, sc *Scope) {
			s.VMs[1].HostID = "host-21"
			sc.Pairs = [][]string{{"vm-31", "vm-404"}}
		}, nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, sc := pairsBase()
			c.edit(&s, &sc)
			fs := Evaluate(s, sc)
			if got := keys(fs); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("got %v, want %v\n%v", got, c.want, fs)
			}
			if len(fs) > 0 && (c.kind != "" && fs[0].ObjectKind != c.kind || c.wants != "" && !strings.Contains(fs[0].Message, c.wants)) {
				t.Errorf("first finding %+v\nwant kind %q with %q", fs[0], c.kind, c.wants)
			}
		})
	}
}

// TestPlanEnterprise: the plan judges its own planned teaming and MAC
// learning (018-020), and leaves no 021 on the port group it writes.
func TestPlanEnterprise(t *testing.T) {
	all := PolicyPlan{AllowPromiscuous: true, AllowMacChanges: true, AllowForgedTransmits: true}
	cases := []struct {
		name string
		edit func(*inventory.Snapshot)
		p    func() PolicyPlan
		want []string
	}{
		{"LAG alone", nil, func() PolicyPlan { return all }, nil},
		{"planned mixed teaming", nil, func() PolicyPlan {
			p := all
			p.Teaming = &TeamingPlan{Active: []string{"lag1", "uplink1"}, LoadBalancing: sp(inventory.LBIPHash)}
			return p
		}, []string{"CARP018 dvportgroup-42"}},
		{"planned limit too low", nil, func() PolicyPlan {
			p := all
			p.MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 2, LimitPolicy: "drop"}
			p.Guest = Scope{VHIDs: 2}
			return p
		}, []string{"CARP019 dvportgroup-42"}},
		{"planned flooding off", nil, func() PolicyPlan {
			p := all
			p.MacLearning = &inventory.MacLearning{Enabled: true, Limit: 4096, LimitPolicy: "drop"}
			return p
		}, []string{"CARP020 dvportgroup-42"}},
		{"interface guest: planned limit too low is fine", nil, func() PolicyPlan {
			p := all
			p.MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 1, LimitPolicy: "drop"}
			p.Guest = Scope{VIPMac: VIPInterface}
			return p
		}, nil},
		{"the write repairs 021", func(s *inventory.Snapshot) {
			s.DVPortGroups[0].Legacy = &inventory.Security{AllowPromiscuous: bp(false), MacChanges: bp(true), ForgedTransmits: bp(true)}
		}, func() PolicyPlan { return all }, nil},
		{"021 on a port that overrides", func(s *inventory.Snapshot) {
			s.DVPortGroups[0].Overrides = inventory.PortOverrides{MacManagement: true}
			s.DVPorts = []inventory.DVPort{{SwitchID: "dvs-11", Key: "7", PortGroupID: "dvportgroup-42",
				Security:      inventory.Security{AllowPromiscuous: bp(false)},
				MacManagement: &inventory.PortMacManagement{AllowPromiscuous: true, MacChanges: true, ForgedTransmits: true}}}
		}, func() PolicyPlan { return all }, []string{"CARP021 dvs-11:7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := lagBase()
			if c.edit != nil {
				c.edit(&s)
			}
			got := keys(PlanDVPortGroup(s, "dvportgroup-42", c.p()))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	s, _ := lagBase()
	if lag := LoadBalancingMoot(s.FindDVSwitch("dvs-11"), []string{"lag1"}); lag == nil || lag.Name != "lag1" {
		t.Errorf("LoadBalancingMoot(lag1) = %v", lag)
	}
	if lag := LoadBalancingMoot(s.FindDVSwitch("dvs-11"), []string{"lag1", "uplink1"}); lag != nil {
		t.Errorf("LoadBalancingMoot(lag1, uplink1) = %v", lag)
	}
}
