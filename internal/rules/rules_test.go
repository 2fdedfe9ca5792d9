package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func bp(b bool) *bool     { return &b }
func ip(i int64) *int64   { return &i }
func sp(s string) *string { return &s }
func accept() inventory.Effective {
	return inventory.Effective{AllowPromiscuous: true, MacChanges: true, ForgedTransmits: true}
}

// base is a clean snapshot: with baseScope, Evaluate finds nothing.
func base() inventory.Snapshot {
	wan := accept()
	wan.LoadBalancing = inventory.LBIPHash
	wan.ActiveUplinks = []string{"vmnic0", "vmnic1"}
	core := accept()
	core.LoadBalancing = inventory.LBIPHash
	core.ActiveUplinks = []string{"uplink1", "uplink2"}
	return inventory.Snapshot{
		Hosts: []inventory.Host{{
			ID: "host-21", Name: "esx-01", RPFCheckPromisc: ip(1),
			VSwitches: []inventory.VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}}},
			PortGroups: []inventory.PortGroup{
				{Name: "FW-WAN", VSwitch: "vSwitch0", Effective: wan},
				{Name: "Clients", VSwitch: "vSwitch0"},
			},
		}},
		DVSwitches: []inventory.DVSwitch{{
			ID: "dvs-11", Name: "dvs-core", Version: "6.5.0", Uplinks: []string{"uplink1", "uplink2"},
			Mirroring: []inventory.MirrorSession{{Key: "1", Name: "span-a", Enabled: false}},
			HostIDs:   []string{"host-21", "host-99"},
		}},
		DVPortGroups: []inventory.DVPortGroup{{ID: "dvportgroup-42", Name: "FW-CORE", SwitchID: "dvs-11", Effective: core}},
		VMs: []inventory.VM{
			{ID: "vm-31", Name: "fw-a", NICs: []inventory.NIC{
				{Label: "Network adapter 1", Type: "vmxnet3", Network: "FW-WAN", HostID: "host-21"},
				{Label: "Network adapter 2", Type: "e1000e", Network: "dvportgroup-42", DVPortGroupID: "dvportgroup-42"},
			}},
			{ID: "vm-50", Name: "app-01", NICs: []inventory.NIC{
				{Label: "Network adapter 1", Type: "vmxnet3", Network: "Clients", HostID: "host-21"},
			}},
		},
	}
}

func baseScope() Scope {
	return Scope{
		PortGroups:   []PortGroupRef{{HostID: "host-21", Name: "FW-WAN"}},
		DVPortGroups: []string{"dvportgroup-42"},
		FirewallVMs:  []string{"vm-31"},
	}
}

// keys returns "CODE object-id" for each finding.
func keys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code+" "+f.ObjectID)
	}
	return out
}

func TestEvaluateCleanBase(t *testing.T) {
	if fs := Evaluate(base(), baseScope()); len(fs) != 0 {
		t.Fatalf("clean snapshot: got %v", keys(fs))
	}
}

func TestEvaluateRules(t *testing.T) {
	wanPG := func(s *inventory.Snapshot) *inventory.PortGroup { return s.Hosts[0].PortGroup("FW-WAN") }
	dvpg := func(s *inventory.Snapshot) *inventory.DVPortGroup { return &s.DVPortGroups[0] }
	cases := []struct {
		name  string
		edit  func(*inventory.Snapshot, *Scope)
		want  []string // "CODE object-id", sorted as Evaluate returns them
		kind  string   // ObjectKind of the first finding, when set
		sev   Severity // severity of the first finding, when set
		wants string   // substring of the first message, when set
	}{
		{"001 standard", func(s *inventory.Snapshot, _ *Scope) { wanPG(s).Effective.AllowPromiscuous = false },
			[]string{"CARP001 host-21:FW-WAN"}, KindPortGroup, SeverityError, `port group "FW-WAN" on host esx-01 (host-21)`},
		{"001 dv", func(s *inventory.Snapshot, _ *Scope) { dvpg(s).Effective.AllowPromiscuous = false },
			[]string{"CARP001 dvportgroup-42"}, KindDVPortGroup, SeverityError, `port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11)`},
		{"001 not with MAC learning", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.AllowPromiscuous = false
			dvpg(s).MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}
		}, nil, "", "", ""},
		{"001 with MAC learning disabled", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.AllowPromiscuous = false
			dvpg(s).MacLearning = &inventory.MacLearning{Enabled: false}
		}, []string{"CARP001 dvportgroup-42"}, "", "", ""},
		{"002 kept with MAC learning", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.MacChanges = false
			dvpg(s).MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}
		}, []string{"CARP002 dvportgroup-42"}, "", SeverityError, "rejects MAC address changes. Set allow_mac_changes = true"},
		{"003 standard", func(s *inventory.Snapshot, _ *Scope) { wanPG(s).Effective.ForgedTransmits = false },
			[]string{"CARP003 host-21:FW-WAN"}, "", "", "rejects forged transmits. Set allow_forged_transmits = true"},
		{"004 standard and dv merged", func(s *inventory.Snapshot, _ *Scope) { s.Hosts[0].RPFCheckPromisc = ip(0) },
			[]string{"CARP004 host-21"}, KindHost, SeverityError,
			`vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port group "FW-WAN"; distributed switch dvs-core (dvs-11) teams uplink1, uplink2 and carries promiscuous port group "FW-CORE", but Net.ReversePathFwdCheckPromisc = 0.`},
		{"004 not when RPF not read", func(s *inventory.Snapshot, _ *Scope) { s.Hosts[0].RPFCheckPromisc = nil }, nil, "", "", ""},
		{"026 the standard port group's host disconnected: nothing of it judged", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[0].Connection = "disconnected"
			s.Hosts[0].RPFCheckPromisc = ip(0)
			wanPG(s).Effective.AllowPromiscuous = false
		}, []string{"CARP026 host-21"}, KindHost, SeverityError,
			`CARP026 host esx-01 (host-21): connection state disconnected, so what vCenter has of its network settings is not current. ` + rule(CodeHostNotConnected).plainRemedy()},
		{"026 a member host of the promiscuous teamed switch not responding: no CARP004 from its stale option", func(s *inventory.Snapshot, sc *Scope) {
			sc.PortGroups = nil
			s.Hosts[0].Connection = "notResponding"
			s.Hosts[0].RPFCheckPromisc = ip(0)
		}, []string{"CARP026 host-21"}, "", "", "connection state notResponding"},
		{"026 not for a connected host", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts[0].Connection = inventory.HostConnected
			s.Hosts[0].RPFCheckPromisc = ip(0)
		}, []string{"CARP004 host-21"}, "", "", ""},
		{"004 not with one uplink", func(s *inventory.Snapshot, sc *Scope) {
			s.Hosts[0].RPFCheckPromisc = ip(0)
			s.Hosts[0].VSwitches[0].Uplinks = []string{"vmnic0"}
			s.DVSwitches[0].Uplinks = []string{"uplink1"}
		}, nil, "", "", ""},
		{"004 not when port group rejects promiscuous", func(s *inventory.Snapshot, sc *Scope) {
			s.Hosts[0].RPFCheckPromisc = ip(0)
			sc.DVPortGroups = nil
			wanPG(s).Effective.AllowPromiscuous = false
		}, []string{"CARP001 host-21:FW-WAN"}, "", "", ""},
		{"006 version 5.0", func(s *inventory.Snapshot, _ *Scope) { s.DVSwitches[0].Version = "5.0.3" },
			[]string{"CARP006 dvs-11"}, KindDVSwitch, SeverityWarning,
			"distributed switch dvs-core (dvs-11): product version 5.0.3, so it may be an upgraded 4.0 switch"},
		{"006 version 4.1", func(s *inventory.Snapshot, _ *Scope) { s.DVSwitches[0].Version = "4.1" },
			[]string{"CARP006 dvs-11"}, "", "", "Set toggle_on_apply = true on carp_portgroup_policy, or create a new switch."},
		{"006 not 5.1", func(s *inventory.Snapshot, _ *Scope) { s.DVSwitches[0].Version = "5.1.0" }, nil, "", "", ""},
		{"006 once per switch", func(s *inventory.Snapshot, sc *Scope) {
			s.DVSwitches[0].Version = "5.0.0"
			pg2 := *dvpg(s)
			pg2.ID, pg2.Name = "dvportgroup-43", "FW-DMZ"
			s.DVPortGroups = append(s.DVPortGroups, pg2)
			sc.DVPortGroups = append(sc.DVPortGroups, "dvportgroup-43")
		}, []string{"CARP006 dvs-11"}, "", "", ""},
		{"007 mirroring", func(s *inventory.Snapshot, _ *Scope) {
			s.DVSwitches[0].Mirroring = append(s.DVSwitches[0].Mirroring,
				inventory.MirrorSession{Key: "2", Name: "span-z", Enabled: true},
				inventory.MirrorSession{Key: "3", Enabled: true})
			s.DVSwitches[0].Mirroring[0].Enabled = true
		}, []string{"CARP007 dvs-11"}, KindDVSwitch, SeverityWarning,
			`port-mirroring sessions "3", "span-a", "span-z" are enabled, which breaks promiscuous mode until it is toggled. Set toggle_on_apply = true`},
		{"008 shared standard", func(s *inventory.Snapshot, _ *Scope) { s.VMs[1].NICs[0].Network = "FW-WAN" },
			[]string{"CARP008 host-21:FW-WAN"}, KindPortGroup, SeverityWarning,
			"also carries a VM that is not a firewall: app-01 (vm-50); it receives all of its traffic. Give the firewall interfaces a dedicated port group."},
		{"008 shared dv", func(s *inventory.Snapshot, _ *Scope) {
			s.VMs[1].NICs = append(s.VMs[1].NICs, inventory.NIC{Label: "n2", Type: "vmxnet3", Network: "dvportgroup-42", DVPortGroupID: "dvportgroup-42"})
			s.VMs = append(s.VMs, inventory.VM{ID: "vm-49", Name: "app-00", NICs: []inventory.NIC{{Network: "dvportgroup-42"}}})
		}, []string{"CARP008 dvportgroup-42"}, "", "", "VMs that are not firewalls: app-00 (vm-49), app-01 (vm-50); they receive"},
		{"008 not without firewall VMs", func(s *inventory.Snapshot, sc *Scope) {
			s.VMs[1].NICs[0].Network = "FW-WAN"
			sc.FirewallVMs = nil
		}, nil, "", "", ""},
		{"008 not for same name on another host", func(s *inventory.Snapshot, _ *Scope) {
			s.VMs[1].NICs[0].Network = "FW-WAN"
			s.VMs[1].NICs[0].HostID = "host-99"
		}, nil, "", "", ""},
		{"008 not when not promiscuous", func(s *inventory.Snapshot, sc *Scope) {
			s.VMs[1].NICs[0].Network = "FW-WAN"
			wanPG(s).Effective.AllowPromiscuous = false
			sc.DVPortGroups = nil
		}, []string{"CARP001 host-21:FW-WAN"}, "", "", ""},
		{"009 vSwitch-wide", func(s *inventory.Snapshot, _ *Scope) { s.Hosts[0].VSwitches[0].Security.AllowPromiscuous = bp(true) },
			[]string{"CARP009 host-21:vSwitch0"}, KindVSwitch, SeverityWarning,
			"vSwitch vSwitch0 on host esx-01 (host-21): promiscuous mode is accepted on the whole vSwitch"},
		{"009 not when Reject", func(s *inventory.Snapshot, _ *Scope) { s.Hosts[0].VSwitches[0].Security.AllowPromiscuous = bp(false) },
			nil, "", "", ""},
		{"010 teamed not IP hash", func(s *inventory.Snapshot, _ *Scope) { wanPG(s).Effective.LoadBalancing = inventory.LBSrcID },
			[]string{"CARP010 host-21:FW-WAN"}, "", SeverityWarning,
			`2 active uplinks (vmnic0, vmnic1) with load balancing loadbalance_srcid. Set load_balancing = "loadbalance_ip"`},
		{"010 no policy read", func(s *inventory.Snapshot, _ *Scope) { dvpg(s).Effective.LoadBalancing = "" },
			[]string{"CARP010 dvportgroup-42"}, "", "", "with load balancing (none read)"},
		{"011 single uplink", func(s *inventory.Snapshot, _ *Scope) { dvpg(s).Effective.ActiveUplinks = []string{"uplink1"} },
			[]string{"CARP011 dvportgroup-42"}, "", SeverityWarning, "one active uplink (uplink1) and no standby"},
		{"011 not with standby", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).Effective.ActiveUplinks = []string{"uplink1"}
			dvpg(s).Effective.StandbyUplinks = []string{"uplink2"}
		}, nil, "", "", ""},
		{"011 not with no active uplink", func(s *inventory.Snapshot, _ *Scope) { dvpg(s).Effective.ActiveUplinks = nil }, nil, "", "", ""},
		{"012 legacy NICs", func(s *inventory.Snapshot, _ *Scope) {
			s.VMs[0].NICs = append(s.VMs[0].NICs,
				inventory.NIC{Label: "Network adapter 4", Type: "vmxnet2"},
				inventory.NIC{Label: "Network adapter 3", Type: "PCNet32"},
				inventory.NIC{Label: "Network adapter 5", Type: "flexible"},
				inventory.NIC{Label: "Network adapter 6", Type: "vmxnet"})
		}, []string{"CARP012 vm-31"}, KindVM, SeverityError,
			`VM fw-a (vm-31): legacy NICs "Network adapter 3" (pcnet32), "Network adapter 4" (vmxnet2), "Network adapter 5" (flexible), "Network adapter 6" (vmxnet), on which CARP VIPs may never leave INIT. Change the adapter type to vmxnet3 or e1000/e1000e.`},
		{"012 not on other VMs", func(s *inventory.Snapshot, _ *Scope) { s.VMs[1].NICs[0].Type = "pcnet32" }, nil, "", "", ""},
		{"013 MAC learning available", func(s *inventory.Snapshot, _ *Scope) { s.DVSwitches[0].Version = "7.0.3" },
			[]string{"CARP013 dvportgroup-42"}, KindDVPortGroup, SeverityInfo,
			"the port group uses promiscuous mode, but its switch is version 7.0.3 and supports MAC learning. Use the mac_learning block"},
		{"013 exactly 6.6.0", func(s *inventory.Snapshot, _ *Scope) { s.DVSwitches[0].Version = "6.6.0" },
			[]string{"CARP013 dvportgroup-42"}, "", "", ""},
		{"013 not with MAC learning", func(s *inventory.Snapshot, _ *Scope) {
			s.DVSwitches[0].Version = "7.0.3"
			dvpg(s).MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}
		}, nil, "", "", ""},
		{"013 not on garbage version", func(s *inventory.Snapshot, _ *Scope) { s.DVSwitches[0].Version = "seven" }, nil, "", "", ""},
		{"missing objects skipped", func(s *inventory.Snapshot, sc *Scope) {
			sc.PortGroups = append(sc.PortGroups, PortGroupRef{"host-404", "FW-WAN"}, PortGroupRef{"host-21", "nope"})
			sc.DVPortGroups = append(sc.DVPortGroups, "dvportgroup-404")
			sc.FirewallVMs = append(sc.FirewallVMs, "vm-404")
		}, nil, "", "", ""},
		{"dv port group without switch", func(s *inventory.Snapshot, _ *Scope) {
			dvpg(s).SwitchID = "dvs-404"
			dvpg(s).Effective.MacChanges = false
		}, []string{"CARP002 dvportgroup-42"}, "", "", `CARP002 port group "FW-CORE" (dvportgroup-42): effective`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, sc := base(), baseScope()
			c.edit(&s, &sc)
			checkEvaluate(t, s, sc, c.want, c.kind, c.sev, c.wants)
		})
	}
}

// checkEvaluate runs Evaluate and checks the findings' keys, and of the
// first finding its form, kind, severity and a substring of its message
// (each when set).
func checkEvaluate(t *testing.T, s inventory.Snapshot, sc Scope, want []string, kind string, sev Severity, wants string) {
	t.Helper()
	fs := Evaluate(s, sc)
	if got := keys(fs); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v\n%v", got, want, fs)
	}
	if len(fs) == 0 {
		return
	}
	f := fs[0]
	r, _ := Lookup(f.Code)
	if f.Name != r.Name {
		t.Errorf("name %q, want %q", f.Name, r.Name)
	}
	if !strings.HasPrefix(f.Message, f.Code+" ") || !strings.HasSuffix(f.Message, " "+f.Remedy) || f.String() != f.Message {
		t.Errorf("message format: %q (remedy %q)", f.Message, f.Remedy)
	}
	if strings.Contains(f.Message, "\n") {
		t.Errorf("message has a newline: %q", f.Message)
	}
	if !strings.Contains(f.Message, "("+strings.SplitN(f.ObjectID, ":", 2)[0]+")") {
		t.Errorf("message does not name moref of %s: %q", f.ObjectID, f.Message)
	}
	if kind != "" && f.ObjectKind != kind {
		t.Errorf("kind %q, want %q", f.ObjectKind, kind)
	}
	if sev != "" && f.Severity != sev {
		t.Errorf("severity %q, want %q", f.Severity, sev)
	}
	if wants != "" && !strings.Contains(f.Message, wants) {
		t.Errorf("message %q\nlacks %q", f.Message, wants)
	}
}

func TestGoldenMessages(t *testing.T) {
	s, sc := base(), baseScope()
	s.Hosts[0].Name = "esx-02"
	s.Hosts[0].RPFCheckPromisc = ip(0)
	sc.DVPortGroups = nil
	fs := Evaluate(s, sc)
	want := `CARP004 host esx-02 (host-21): vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port group "FW-WAN", but Net.ReversePathFwdCheckPromisc = 0. Set reverse_path_fwd_check_promisc = true on carp_host_settings for this host.`
	if len(fs) != 1 || fs[0].Message != want {
		t.Fatalf("got %v\nwant %s", fs, want)
	}

	s, sc = base(), baseScope()
	s.Hosts[0].PortGroup("FW-WAN").Effective.AllowPromiscuous = false
	fs = Evaluate(s, sc)
	want = `CARP001 port group "FW-WAN" on host esx-01 (host-21): effective security policy rejects promiscuous mode. Set allow_promiscuous = true on carp_portgroup_policy, or enable MAC learning (the mac_learning block, on a VDS of 6.6.0 or later).`
	if len(fs) != 1 || fs[0].String() != want {
		t.Fatalf("got %v\nwant %s", fs, want)
	}
	if fs[0].Remedy != "Set allow_promiscuous = true on carp_portgroup_policy, or enable MAC learning (the mac_learning block, on a VDS of 6.6.0 or later)." {
		t.Errorf("remedy %q", fs[0].Remedy)
	}

	s, sc = base(), baseScope()
	s.DVPortGroups[0].Effective.ForgedTransmits = false
	fs = Evaluate(s, sc)
	want = `CARP003 port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11): effective security policy rejects forged transmits. Set allow_forged_transmits = true on carp_portgroup_policy.`
	if len(fs) != 1 || fs[0].Message != want {
		t.Fatalf("got %v\nwant %s", fs, want)
	}

	s, sc = base(), baseScope()
	s.DVPortGroups[0].Effective.ActiveUplinks = []string{"uplink2"}
	fs = Evaluate(s, sc)
	want = `CARP011 port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11): one active uplink (uplink2) and no standby: a physical link loss is not shown to the VM, so both firewalls stay MASTER. Add a standby uplink, or set up link-state tracking on the host.`
	if len(fs) != 1 || fs[0].Message != want {
		t.Fatalf("got %v\nwant %s", fs, want)
	}
}

// messy returns a snapshot where many rules fire at once.
func messy() (inventory.Snapshot, Scope) {
	s, sc := base(), baseScope()
	h := &s.Hosts[0]
	h.RPFCheckPromisc = ip(0)
	h.VSwitches[0].Security.AllowPromiscuous = bp(true)
	h.VSwitches = append(h.VSwitches, inventory.VSwitch{Name: "vSwitch1", Uplinks: []string{"vmnic3", "vmnic2"}})
	lan := inventory.Effective{LoadBalancing: inventory.LBSrcID, ActiveUplinks: []string{"vmnic3", "vmnic2"}}
	sync := accept()
	sync.ActiveUplinks = []string{"vmnic2"}
	h.PortGroups = append(h.PortGroups,
		inventory.PortGroup{Name: "FW-LAN", VSwitch: "vSwitch1", Effective: lan},
		inventory.PortGroup{Name: "FW-SYNC", VSwitch: "vSwitch1", Effective: sync},
		inventory.PortGroup{Name: "FW-A", VSwitch: "vSwitch0", Effective: sync})
	s.DVSwitches[0].Version = "5.0.0"
	s.DVSwitches[0].Mirroring[0].Enabled = true
	s.VMs[0].NICs[0].Type = "vmxnet2"
	s.VMs[1].NICs[0].Network = "FW-SYNC"
	sc.PortGroups = append(sc.PortGroups,
		PortGroupRef{"host-21", "FW-SYNC"}, PortGroupRef{"host-21", "FW-LAN"}, PortGroupRef{"host-21", "FW-A"},
		PortGroupRef{"host-21", "FW-WAN"}) // duplicate on purpose
	sc.DVPortGroups = append(sc.DVPortGroups, "dvportgroup-42")
	sc.FirewallVMs = append(sc.FirewallVMs, "vm-31")
	return s, sc
}

func TestEvaluateSortedUniqueStable(t *testing.T) {
	s, sc := messy()
	fs := Evaluate(s, sc)
	want := []string{
		"CARP001 host-21:FW-LAN",
		"CARP002 host-21:FW-LAN",
		"CARP003 host-21:FW-LAN",
		"CARP004 host-21",
		"CARP006 dvs-11",
		"CARP007 dvs-11",
		"CARP008 host-21:FW-SYNC",
		"CARP009 host-21:vSwitch0",
		"CARP010 host-21:FW-LAN",
		"CARP011 host-21:FW-A",
		"CARP011 host-21:FW-SYNC",
		"CARP012 vm-31",
	}
	if got := keys(fs); !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var rpf Finding
	for _, f := range fs {
		if f.Code == "CARP004" {
			rpf = f
		}
	}
	wantMsg := `CARP004 host esx-01 (host-21): vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port groups "FW-A", "FW-WAN"; vSwitch1 bridges vmnic3, vmnic2 and carries promiscuous port group "FW-SYNC"; distributed switch dvs-core (dvs-11) teams uplink1, uplink2 and carries promiscuous port group "FW-CORE", but Net.ReversePathFwdCheckPromisc = 0. Set reverse_path_fwd_check_promisc = true on carp_host_settings for this host.`
	if rpf.Message != wantMsg {
		t.Errorf("CARP004:\n%s\nwant\n%s", rpf.Message, wantMsg)
	}
	// Deterministic: scope order does not matter, repeated runs agree.
	for i := 0; i < 20; i++ {
		s2, sc2 := messy()
		for l, r := 0, len(sc2.PortGroups)-1; l < r; l, r = l+1, r-1 {
			sc2.PortGroups[l], sc2.PortGroups[r] = sc2.PortGroups[r], sc2.PortGroups[l]
		}
		if got := Evaluate(s2, sc2); !reflect.DeepEqual(got, fs) {
			t.Fatalf("run %d differs:\n%v\n%v", i, got, fs)
		}
	}
}

func TestUnicastDowngrade(t *testing.T) {
	s, sc := messy()
	sc.Transport = Unicast
	fs := Evaluate(s, sc)
	for _, f := range fs {
		r, _ := Lookup(f.Code)
		if r.MulticastOnly {
			if f.Severity != SeverityInfo {
				t.Errorf("%s: severity %s in unicast", f.Code, f.Severity)
			}
			if !strings.Contains(f.Message, "unicast") || !strings.HasSuffix(f.Message, f.Remedy) {
				t.Errorf("%s: message %q", f.Code, f.Message)
			}
		} else {
			if f.Severity != r.Severity || strings.Contains(f.Message, "unicast") {
				t.Errorf("%s: changed in unicast: %v", f.Code, f)
			}
		}
	}
	sc.Transport = ""
	for _, f := range Evaluate(s, sc) {
		r, _ := Lookup(f.Code)
		if f.Severity != r.Severity {
			t.Errorf("%s: severity %s with default transport", f.Code, f.Severity)
		}
	}
	s, sc = base(), baseScope()
	s.Hosts[0].RPFCheckPromisc = ip(0)
	sc.DVPortGroups = nil
	sc.Transport = Unicast
	fs = Evaluate(s, sc)
	want := `CARP004 host esx-01 (host-21): vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port group "FW-WAN", but Net.ReversePathFwdCheckPromisc = 0. CARP uses unicast here, which may not need this, so it is reported as info. Set reverse_path_fwd_check_promisc = true on carp_host_settings for this host.`
	if len(fs) != 1 || fs[0].Message != want {
		t.Fatalf("got %v\nwant %s", fs, want)
	}
}
