package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func allowAll() PolicyPlan {
	return PolicyPlan{AllowPromiscuous: true, AllowMacChanges: true, AllowForgedTransmits: true}
}

func TestPlanHostSettings(t *testing.T) {
	host := func(rpf *int64) inventory.Host {
		h := base().Hosts[0]
		h.RPFCheckPromisc = rpf
		return h
	}
	cases := []struct {
		name    string
		h       inventory.Host
		planned bool
		toggle  bool
		want    []string
		msg     string
	}{
		{"004 planned off", host(ip(0)), false, true, []string{"CARP004 host-21"},
			`CARP004 host esx-01 (host-21): vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port group "FW-WAN", but the plan sets reverse_path_fwd_check_promisc = false. Set reverse_path_fwd_check_promisc = true on carp_host_settings for this host.`},
		{"004 and 005 when turning off", host(ip(1)), false, false, []string{"CARP004 host-21", "CARP005 host-21"}, ""},
		{"026, not 004 from the port groups vCenter last saw, on a disconnected host", func() inventory.Host {
			h := host(ip(0))
			h.Connection = "disconnected"
			return h
		}(), false, true, []string{"CARP026 host-21"}, "connection state disconnected"},
		{"005 change without toggle", host(ip(0)), true, false, []string{"CARP005 host-21"},
			`CARP005 host esx-01 (host-21): Net.ReversePathFwdCheckPromisc changes from 0 to 1, and promiscuous port group "FW-WAN" is not toggled afterwards. Set toggle_promiscuous_on_apply = true on carp_host_settings for this host.`},
		{"005 from unread value", host(nil), true, false, []string{"CARP005 host-21"}, "changes from a value not read to 1"},
		{"no 005 with toggle", host(ip(0)), true, true, nil, ""},
		{"no 005 without change", host(ip(1)), true, false, nil, ""},
		{"no 005 without promiscuous port groups", func() inventory.Host {
			h := host(ip(0))
			h.PortGroups[0].Effective.AllowPromiscuous = false
			return h
		}(), true, false, nil, ""},
		{"no 004 on single uplink", func() inventory.Host {
			h := host(ip(0))
			h.VSwitches[0].Uplinks = h.VSwitches[0].Uplinks[:1]
			return h
		}(), false, true, nil, ""},
		{"005 lists all promiscuous port groups", func() inventory.Host {
			h := host(ip(1))
			h.PortGroups[1].Effective.AllowPromiscuous = true
			return h
		}(), false, false, []string{"CARP004 host-21", "CARP005 host-21"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := PlanHostSettings(c.h, c.planned, c.toggle)
			if got := keys(fs); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, want %v\n%v", got, c.want, fs)
			}
			if c.msg != "" && len(fs) == 0 {
				t.Fatalf("no finding to check the message %q of", c.msg)
			}
			if c.msg != "" && !strings.Contains(fs[0].Message, c.msg) {
				t.Errorf("message %q\nlacks %q", fs[0].Message, c.msg)
			}
		})
	}
	fs := PlanHostSettings(func() inventory.Host {
		h := host(ip(1))
		h.PortGroups[1].Effective.AllowPromiscuous = true
		return h
	}(), false, false)
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want CARP004 and CARP005: %v", len(fs), fs)
	}
	if !strings.Contains(fs[0].Message, `port groups "Clients", "FW-WAN";`) && !strings.Contains(fs[0].Message, `port groups "Clients", "FW-WAN", but`) {
		t.Errorf("004: %q", fs[0].Message)
	}
	if !strings.Contains(fs[1].Message, `from 1 to 0, and promiscuous port groups "Clients", "FW-WAN" are not toggled`) {
		t.Errorf("005: %q", fs[1].Message)
	}
}

func TestPlanStandardPortGroup(t *testing.T) {
	srcid := inventory.LBSrcID
	cases := []struct {
		name   string
		edit   func(*inventory.Snapshot)
		host   string
		pg     string
		plan   PolicyPlan
		want   []string
		msg    string
		errSev bool
	}{
		{"clean", nil, "host-21", "FW-WAN", allowAll(), nil, "", false},
		{"001-003 planned reject", nil, "host-21", "FW-WAN", PolicyPlan{},
			[]string{"CARP001 host-21:FW-WAN", "CARP002 host-21:FW-WAN", "CARP003 host-21:FW-WAN"}, "", false},
		{"planned accept fixes read reject", func(s *inventory.Snapshot) {
			s.Hosts[0].PortGroups[0].Effective = inventory.Effective{LoadBalancing: inventory.LBIPHash, ActiveUplinks: []string{"a", "b"}}
		}, "host-21", "FW-WAN", allowAll(), nil, "", false},
		{"004 with RPF off", func(s *inventory.Snapshot) { s.Hosts[0].RPFCheckPromisc = ip(0) }, "host-21", "FW-WAN", allowAll(),
			[]string{"CARP004 host-21"}, `vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port group "FW-WAN", but Net.ReversePathFwdCheckPromisc = 0.`, false},
		{"no 004 when planned reject", func(s *inventory.Snapshot) { s.Hosts[0].RPFCheckPromisc = ip(0) }, "host-21", "FW-WAN",
			PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true}, []string{"CARP001 host-21:FW-WAN"}, "", false},
		{"009", func(s *inventory.Snapshot) { s.Hosts[0].VSwitches[0].Security.AllowPromiscuous = bp(true) }, "host-21", "FW-WAN", allowAll(),
			[]string{"CARP009 host-21:vSwitch0"}, "", false},
		{"010 planned load balancing", nil, "host-21", "FW-WAN",
			func() PolicyPlan { p := allowAll(); p.Teaming = &TeamingPlan{LoadBalancing: &srcid}; return p }(),
			[]string{"CARP010 host-21:FW-WAN"}, "2 active uplinks (vmnic0, vmnic1) with load balancing loadbalance_srcid", false},
		{"011 planned order", nil, "host-21", "FW-WAN",
			func() PolicyPlan {
				p := allowAll()
				p.Teaming = &TeamingPlan{Active: []string{"vmnic1"}, Standby: []string{}}
				return p
			}(),
			[]string{"CARP011 host-21:FW-WAN"}, "one active uplink (vmnic1)", false},
		{"no 011 with planned standby", nil, "host-21", "FW-WAN",
			func() PolicyPlan {
				p := allowAll()
				p.Teaming = &TeamingPlan{Active: []string{"vmnic1"}, Standby: []string{"vmnic0"}}
				return p
			}(), nil, "", false},
		{"014 on standard", nil, "host-21", "FW-WAN",
			func() PolicyPlan {
				p := allowAll()
				p.MacLearning = &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}
				return p
			}(),
			[]string{"CARP014 host-21:FW-WAN"},
			`CARP014 port group "FW-WAN" on host esx-01 (host-21): the configuration asks for MAC learning, which standard port groups do not have. Use promiscuous mode (allow_promiscuous = true) instead of the mac_learning block, or a distributed switch of 6.6.0 or later (upgrade the switch, or move the port group to one).`, true},
		{"014 even for disabled block", nil, "host-21", "FW-WAN",
			func() PolicyPlan { p := allowAll(); p.MacLearning = &inventory.MacLearning{}; return p }(),
			[]string{"CARP014 host-21:FW-WAN"}, "", true},
		{"014 on unknown host", nil, "host-404", "FW-WAN",
			PolicyPlan{MacLearning: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}},
			[]string{"CARP014 host-404:FW-WAN"}, `port group "FW-WAN" on host host-404 (host-404)`, true},
		{"014 on unknown port group", nil, "host-21", "FW-X",
			PolicyPlan{MacLearning: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true}},
			[]string{"CARP014 host-21:FW-X"}, "", true},
		{"unknown port group", nil, "host-21", "FW-X", PolicyPlan{}, nil, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			if c.edit != nil {
				c.edit(&s)
			}
			before := base()
			if c.edit != nil {
				c.edit(&before)
			}
			fs := PlanStandardPortGroup(s, c.host, c.pg, c.plan)
			if got := keys(fs); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, want %v\n%v", got, c.want, fs)
			}
			if !reflect.DeepEqual(s, before) {
				t.Errorf("snapshot modified")
			}
			if c.msg != "" && len(fs) == 0 {
				t.Fatalf("no finding to check the message %q of", c.msg)
			}
			if c.msg != "" && !strings.Contains(fs[0].Message, c.msg) {
				t.Errorf("message %q\nlacks %q", fs[0].Message, c.msg)
			}
			if c.errSev && (len(fs) == 0 || fs[0].Severity != SeverityError) {
				t.Errorf("want an error finding first: %v", fs)
			}
		})
	}
}

func TestPlanDVPortGroup(t *testing.T) {
	ml := &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 4096, LimitPolicy: "drop"}
	cases := []struct {
		name string
		edit func(*inventory.Snapshot)
		id   string
		plan PolicyPlan
		want []string
		msg  string
	}{
		{"clean", nil, "dvportgroup-42", allowAll(), nil, ""},
		{"unknown", nil, "dvportgroup-404", PolicyPlan{}, nil, ""},
		{"001-003", nil, "dvportgroup-42", PolicyPlan{},
			[]string{"CARP001 dvportgroup-42", "CARP002 dvportgroup-42", "CARP003 dvportgroup-42"}, ""},
		{"006 without toggle", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "5.0.0" }, "dvportgroup-42", allowAll(),
			[]string{"CARP006 dvs-11"}, "Set toggle_on_apply = true on carp_portgroup_policy, or create a new switch."},
		{"006 with toggle", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "5.0.0" }, "dvportgroup-42",
			func() PolicyPlan { p := allowAll(); p.ToggleOnApply = true; return p }(),
			nil, ""},
		{"007 without toggle", func(s *inventory.Snapshot) { s.DVSwitches[0].Mirroring[0].Enabled = true }, "dvportgroup-42", allowAll(),
			[]string{"CARP007 dvs-11"},
			`CARP007 distributed switch dvs-core (dvs-11): port-mirroring session "span-a" is enabled, which breaks promiscuous mode until it is toggled. Set toggle_on_apply = true on carp_portgroup_policy with the mirroring state in toggle_triggers.`},
		{"007 with toggle", func(s *inventory.Snapshot) { s.DVSwitches[0].Mirroring[0].Enabled = true }, "dvportgroup-42",
			func() PolicyPlan { p := allowAll(); p.ToggleOnApply = true; return p }(),
			nil, ""},
		{"004 per host of the switch", func(s *inventory.Snapshot) { s.Hosts[0].RPFCheckPromisc = ip(0) }, "dvportgroup-42", allowAll(),
			[]string{"CARP004 host-21"},
			`CARP004 host esx-01 (host-21): distributed switch dvs-core (dvs-11) teams uplink1, uplink2 and carries promiscuous port group "FW-CORE", but Net.ReversePathFwdCheckPromisc = 0.`},
		{"010 and 011 planned teaming", nil, "dvportgroup-42",
			func() PolicyPlan {
				p := allowAll()
				p.Teaming = &TeamingPlan{Active: []string{"uplink2"}}
				return p
			}(), []string{"CARP011 dvportgroup-42"}, ""},
		{"013 on 7.0", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "7.0.3" }, "dvportgroup-42", allowAll(),
			[]string{"CARP013 dvportgroup-42"}, ""},
		{"MAC learning replaces promiscuous on 7.0", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "7.0.3" }, "dvportgroup-42",
			PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true, MacLearning: ml}, nil, ""},
		{"planned nil MAC learning keeps the read one", func(s *inventory.Snapshot) {
			s.DVSwitches[0].Version = "7.0.3"
			s.DVPortGroups[0].MacLearning = ml
		}, "dvportgroup-42", PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true}, nil, ""},
		{"planned nil MAC learning keeps the switch's", func(s *inventory.Snapshot) {
			s.DVSwitches[0].Version = "7.0.3"
			s.DVPortGroups[0].Effective.MacLearning = ml
		}, "dvportgroup-42", PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true}, nil, ""},
		{"planned MAC learning off", func(s *inventory.Snapshot) {
			s.DVSwitches[0].Version = "7.0.3"
			s.DVPortGroups[0].MacLearning = ml
		}, "dvportgroup-42", PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true, MacLearning: &inventory.MacLearning{}}, []string{"CARP001 dvportgroup-42"}, ""},
		{"014 below 6.6.0", nil, "dvportgroup-42", PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true, MacLearning: ml},
			[]string{"CARP014 dvportgroup-42"},
			`CARP014 port group "FW-CORE" (dvportgroup-42) on dvs-core (dvs-11): the configuration asks for MAC learning, but the switch is version 6.5.0 and MAC learning needs 6.6.0 or later. Use promiscuous mode (allow_promiscuous = true) instead of the mac_learning block, or a distributed switch of 6.6.0 or later (upgrade the switch, or move the port group to one).`},
		{"no 014 on unreadable version", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "" }, "dvportgroup-42",
			PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true, MacLearning: ml}, nil, ""},
		{"no 014 without switch", func(s *inventory.Snapshot) { s.DVPortGroups[0].SwitchID = "dvs-404" }, "dvportgroup-42",
			PolicyPlan{AllowMacChanges: true, AllowForgedTransmits: true, MacLearning: ml}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			if c.edit != nil {
				c.edit(&s)
			}
			fs := PlanDVPortGroup(s, c.id, c.plan)
			if got := keys(fs); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, want %v\n%v", got, c.want, fs)
			}
			if c.msg != "" && len(fs) == 0 {
				t.Fatalf("no finding to check the message %q of", c.msg)
			}
			if c.msg != "" && !strings.Contains(fs[0].Message, c.msg) {
				t.Errorf("message %q\nlacks %q", fs[0].Message, c.msg)
			}
		})
	}
}

func TestToggleHazards(t *testing.T) {
	s := base()
	if got := ToggleHazardsStandard(s, "host-21", "FW-WAN"); !reflect.DeepEqual(got, []string{"rpf=1"}) {
		t.Errorf("standard: %v", got)
	}
	s.Hosts[0].RPFCheckPromisc = nil
	if got := ToggleHazardsStandard(s, "host-21", "FW-WAN"); !reflect.DeepEqual(got, []string{"rpf=unknown"}) {
		t.Errorf("standard unread: %v", got)
	}
	if got := ToggleHazardsStandard(s, "host-404", "FW-WAN"); got != nil {
		t.Errorf("unknown host: %v", got)
	}
	if got := ToggleHazardsStandard(s, "host-21", "FW-X"); got != nil {
		t.Errorf("unknown pg: %v", got)
	}

	s = base()
	if got := ToggleHazardsDV(s, "dvportgroup-42"); got != nil {
		t.Errorf("clean DV: %v", got)
	}
	s.DVSwitches[0].Version = "4.1.0"
	s.DVSwitches[0].Mirroring[0].Enabled = true
	s.DVSwitches[0].Mirroring = append(s.DVSwitches[0].Mirroring, inventory.MirrorSession{Key: "7", Enabled: true})
	want := []string{"CARP006", "CARP007", "mirror=7", "mirror=span-a"}
	if got := ToggleHazardsDV(s, "dvportgroup-42"); !reflect.DeepEqual(got, want) {
		t.Errorf("DV: %v, want %v", got, want)
	}
	if got := ToggleHazardsDV(s, "dvportgroup-404"); got != nil {
		t.Errorf("unknown DV: %v", got)
	}
	s.DVPortGroups[0].SwitchID = "dvs-404"
	if got := ToggleHazardsDV(s, "dvportgroup-42"); got != nil {
		t.Errorf("DV without switch: %v", got)
	}
}

func TestWriteMacLearning(t *testing.T) {
	cases := []struct {
		name               string
		edit               func(*inventory.Snapshot)
		hostID, pg, dvpgID string
		want               []string
		msgContains        string
	}{
		{"standard port group", nil, "host-21", "FW-WAN", "", []string{"CARP014 host-21:FW-WAN"}, "standard port groups do not have"},
		{"switch below 6.6.0", nil, "", "", "dvportgroup-42", []string{"CARP014 dvportgroup-42"}, "version 6.5.0 and MAC learning needs 6.6.0"},
		{"unreadable version", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "" }, "", "", "dvportgroup-42",
			[]string{"CARP014 dvportgroup-42"}, `("") is not known`},
		{"6.6.0 takes it", func(s *inventory.Snapshot) { s.DVSwitches[0].Version = "6.6.0" }, "", "", "dvportgroup-42", nil, ""},
		{"port group not read", nil, "", "", "dvportgroup-404", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			if c.edit != nil {
				c.edit(&s)
			}
			fs := WriteMacLearning(s, c.hostID, c.pg, c.dvpgID)
			if got := keys(fs); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("codes = %v, want %v", got, c.want)
			}
			if c.msgContains != "" && !strings.Contains(fs[0].Message, c.msgContains) {
				t.Errorf("message %q lacks %q", fs[0].Message, c.msgContains)
			}
		})
	}
}
