package rules

import (
	"reflect"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

const (
	segA     = "/infra/segments/fw-nsx"
	segB     = "/infra/segments/fw-opq"
	portA    = segA + "/ports/p-a"
	portB    = segB + "/ports/p-b"
	goodMac  = "/infra/mac-discovery-profiles/carp"
	sgOn     = "/infra/spoofguard-profiles/sg-on"
	ipdWide  = "/infra/ip-discovery-profiles/wide"
	nsxDVPG  = "dvportgroup-55"
	opaqueID = "network-o1"
)

// nsxBase is a clean pair on NSX: fw-a on an NSX port group of dvs-9,
// fw-b on an opaque network, both segments binding a MAC discovery
// profile that gives CARP what it needs; SpoofGuard is NSX's default
// (off). The NSX port group's vSphere policy (two active uplinks without
// IP hash, promiscuous without MAC learning) and fw-a's port overriding it
// decide nothing.
func nsxBase() inventory.Snapshot {
	return inventory.Snapshot{
		Hosts:      []inventory.Host{{ID: "host-1", Name: "esx-1"}, {ID: "host-2", Name: "esx-2"}},
		Clusters:   []inventory.Cluster{{ID: "domain-c1", Name: "fw", HostIDs: []string{"host-1", "host-2"}}},
		DVSwitches: []inventory.DVSwitch{{ID: "dvs-9", Name: "dvs-nsx", Version: "8.0.0", Uplinks: []string{"uplink1", "uplink2"}, HostIDs: []string{"host-1", "host-2"}}},
		DVPortGroups: []inventory.DVPortGroup{{
			ID: nsxDVPG, Name: "FW-NSX", SwitchID: "dvs-9", Overrides: inventory.PortOverrides{Security: true},
			Effective: inventory.Effective{AllowPromiscuous: true, MacChanges: true, ForgedTransmits: true,
				LoadBalancing: inventory.LBSrcID, ActiveUplinks: []string{"uplink1", "uplink2"}},
			NSX: &inventory.NSXBacking{SegmentPath: segA, LogicalSwitchUUID: "ls-a"},
		}},
		OpaqueNetworks: []inventory.OpaqueNetwork{{ID: opaqueID, Name: "FW-OPQ", Type: "nsx.LogicalSwitch",
			NSX: inventory.NSXBacking{LogicalSwitchUUID: "ls-b"}, HostIDs: []string{"host-1", "host-2"}}},
		DVPorts: []inventory.DVPort{{SwitchID: "dvs-9", Key: "7", PortGroupID: nsxDVPG, ConnectedVM: "vm-1",
			Security: inventory.Security{AllowPromiscuous: bp(false)}}},
		VMs: []inventory.VM{
			{ID: "vm-1", Name: "fw-a", HostID: "host-1", NICs: []inventory.NIC{{Label: "Network adapter 1", Type: "vmxnet3",
				Network: nsxDVPG, DVPortGroupID: nsxDVPG, PortKey: "7", ExternalID: "vif-a"}}},
			{ID: "vm-2", Name: "fw-b", HostID: "host-2", NICs: []inventory.NIC{{Label: "Network adapter 1", Type: "vmxnet3",
				Network: "FW-OPQ", Opaque: &inventory.NSXBacking{LogicalSwitchUUID: "ls-b"}, ExternalID: "vif-b"}}},
		},
		NSX: &inventory.NSXState{
			Manager: "nsx.lab",
			Segments: []inventory.NSXSegment{
				{Path: segA, UniqueID: "ls-a", Name: "fw-nsx", Bound: inventory.NSXProfiles{MacDiscovery: goodMac}},
				{Path: segB, UniqueID: "ls-b", Name: "fw-opq", Bound: inventory.NSXProfiles{MacDiscovery: goodMac}},
			},
			Ports: []inventory.NSXPort{
				{Path: portA, SegmentPath: segA, Name: "fw-a.vmx@tn", AttachmentID: "vif-a"},
				{Path: portB, SegmentPath: segB, Name: "fw-b.vmx@tn", AttachmentID: "vif-b"},
			},
			MacDiscovery: []inventory.MacDiscoveryProfile{
				// NSX's default: MAC change on, learning off (see the simulator's nsxdefaults.go)
				{Path: inventory.DefaultMacDiscoveryProfile, Name: "default-mac-discovery-profile", MacChange: true, UnknownUnicastFlooding: true, Limit: 4096, LimitPolicy: "ALLOW"},
				{Path: goodMac, Name: "carp", MacChange: true, MacLearning: true, UnknownUnicastFlooding: true, Limit: 4096, LimitPolicy: "ALLOW"},
			},
			SpoofGuard: []inventory.SpoofGuardProfile{
				{Path: inventory.DefaultSpoofGuardProfile, Name: "default-spoofguard-profile"},
				{Path: sgOn, Name: "sg-on", Enabled: true},
			},
			IPDiscovery: []inventory.IPDiscoveryProfile{
				{Path: inventory.DefaultIPDiscoveryProfile, Name: "default-ip-discovery-profile", ARPSnooping: true, ARPBindingLimit: 1, TOFU: true},
				{Path: ipdWide, Name: "wide", ARPSnooping: true, ARPBindingLimit: 4, TOFU: true},
			},
		},
	}
}

func nsxScope() Scope { return Scope{FirewallVMs: []string{"vm-1", "vm-2"}} }

func macProfile(s *inventory.Snapshot) *inventory.MacDiscoveryProfile { return &s.NSX.MacDiscovery[1] }

func TestEvaluateNSX(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*inventory.Snapshot, *Scope)
		want  []string // "CODE object-id severity"
		wants string   // substring of the first message, when set
	}{
		{"clean: vSphere policy and port override not judged on NSX", func(*inventory.Snapshot, *Scope) {}, nil, ""},
		{"NSX port group in the scope: no CARP001-003, 010, 011, 013", func(_ *inventory.Snapshot, sc *Scope) {
			sc.DVPortGroups = []string{nsxDVPG}
		}, nil, ""},
		{"023 default profile: MAC learning off", func(s *inventory.Snapshot, _ *Scope) { s.NSX.Segments[0].Bound.MacDiscovery = "" },
			[]string{"CARP023 " + portA + " error"}, `MAC discovery profile "default-mac-discovery-profile" (` + inventory.DefaultMacDiscoveryProfile + `; NSX's default: nothing is bound to the segment or the port) has MAC learning off`},
		{"023 MAC change off", func(s *inventory.Snapshot, _ *Scope) { macProfile(s).MacChange = false },
			[]string{"CARP023 " + portA + " error", "CARP023 " + portB + " error"}, "does not allow MAC change"},
		{"023 port binding overrides a bad segment binding", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX.Segments[0].Bound.MacDiscovery = inventory.DefaultMacDiscoveryProfile
			s.NSX.Ports[0].Bound.MacDiscovery = goodMac
		}, nil, ""},
		{"023 port binding overrides a good segment binding", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX.Ports[1].Bound.MacDiscovery = inventory.DefaultMacDiscoveryProfile
		}, []string{"CARP023 " + portB + " error"}, "bound to the port"},
		{"023 DROP below 1 + vhids", func(s *inventory.Snapshot, sc *Scope) {
			macProfile(s).LimitPolicy, macProfile(s).Limit = "DROP", 3
			sc.VHIDs = 3
		}, []string{"CARP023 " + portA + " error", "CARP023 " + portB + " error"}, "drops past mac_limit 3 (mac_limit_policy DROP), below the 4 MACs of the NIC and its 3 virtual MACs"},
		{"023 DROP at 1 + vhids", func(s *inventory.Snapshot, sc *Scope) {
			macProfile(s).LimitPolicy, macProfile(s).Limit = "DROP", 4
			sc.VHIDs = 3
		}, nil, ""},
		{"023 ALLOW below the limit", func(s *inventory.Snapshot, _ *Scope) { macProfile(s).Limit = 1 }, nil, ""},
		{"023 flooding off: warning", func(s *inventory.Snapshot, _ *Scope) { macProfile(s).UnknownUnicastFlooding = false },
			[]string{"CARP023 " + portA + " warning", "CARP023 " + portB + " warning"}, "unknown-unicast flooding off"},
		{"023 flooding off with unicast: error", func(s *inventory.Snapshot, sc *Scope) {
			macProfile(s).UnknownUnicastFlooding = false
			sc.Transport = Unicast
		}, []string{"CARP023 " + portA + " error", "CARP023 " + portB + " error"}, ""},
		{"023 not with vip_mac interface", func(s *inventory.Snapshot, sc *Scope) {
			macProfile(s).MacChange, macProfile(s).MacLearning = false, false
			sc.VIPMac = VIPInterface
		}, nil, ""},
		{"024 SpoofGuard on the segment, default IP discovery", func(s *inventory.Snapshot, _ *Scope) { s.NSX.Segments[0].Bound.SpoofGuard = sgOn },
			[]string{"CARP024 " + portA + " error"}, `SpoofGuard profile "sg-on" (` + sgOn + `; bound to the segment) has address_binding_allowlist on`},
		{"024 virtual MAC bound by hand", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX.Segments[0].Bound.SpoofGuard = sgOn
			s.NSX.Ports[0].AddressBindings = []inventory.NSXAddressBinding{{IP: "10.0.0.1", MAC: "00:50:56:01:02:03"}, {IP: "10.0.0.254", MAC: "00:00:5E:00:01:0A"}}
		}, nil, ""},
		{"024 one virtual MAC bound for two VHIDs", func(s *inventory.Snapshot, sc *Scope) {
			s.NSX.Ports[0].Bound.SpoofGuard = sgOn
			s.NSX.Ports[0].AddressBindings = []inventory.NSXAddressBinding{{IP: "10.0.0.254", MAC: "00:00:5e:00:01:0a"}}
			sc.VHIDs = 2
		}, []string{"CARP024 " + portA + " error"}, "1 for a virtual MAC (00:00:5e:00:01:xx) where the VIP needs 2"},
		{"024 interface VIP: two bindings admit it", func(s *inventory.Snapshot, sc *Scope) {
			s.NSX.Ports[0].Bound.SpoofGuard = sgOn
			s.NSX.Ports[0].AddressBindings = []inventory.NSXAddressBinding{{IP: "10.0.0.1", MAC: "00:50:56:01:02:03"}, {IP: "10.0.0.254", MAC: "00:50:56:01:02:03"}}
			sc.VIPMac = VIPInterface
		}, nil, ""},
		{"024 IP discovery learns the VIP", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX.Segments[1].Bound = inventory.NSXProfiles{MacDiscovery: goodMac, SpoofGuard: sgOn, IPDiscovery: ipdWide}
		}, nil, ""},
		{"024 duplicate IP detection refuses the VIP", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX.Segments[1].Bound = inventory.NSXProfiles{MacDiscovery: goodMac, SpoofGuard: sgOn, IPDiscovery: ipdWide}
			s.NSX.IPDiscovery[1].DuplicateIPDetection = true
		}, []string{"CARP024 " + portB + " error"}, "detects duplicate IPs"},
		{"025 no NSX Manager", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX = &inventory.NSXState{Unavailable: "no NSX Manager is configured (nsx_manager)"}
		}, []string{"CARP025 " + nsxDVPG + " error", "CARP025 " + opaqueID + " error"}, "no NSX Manager is configured"},
		{"025 NSX not asked", func(s *inventory.Snapshot, _ *Scope) { s.NSX = nil },
			[]string{"CARP025 " + nsxDVPG + " error", "CARP025 " + opaqueID + " error"}, ""},
		{"025 NSX port group given without firewall NIC", func(s *inventory.Snapshot, sc *Scope) {
			s.NSX.Unavailable = "NSX Manager nsx.lab did not answer"
			sc.FirewallVMs = nil
			sc.DVPortGroups = []string{nsxDVPG}
		}, []string{"CARP025 " + nsxDVPG + " error"}, "the audit is given it"},
		{"segment judged alone when given without firewall NIC", func(s *inventory.Snapshot, sc *Scope) {
			s.NSX.Segments[0].Bound.MacDiscovery = ""
			sc.FirewallVMs = nil
			sc.DVPortGroups = []string{nsxDVPG}
		}, []string{"CARP023 " + nsxDVPG + " error"}, ""},
		{"025 no port for the NIC, segment still judged", func(s *inventory.Snapshot, _ *Scope) {
			s.NSX.Ports = s.NSX.Ports[1:]
			s.NSX.Segments[0].Bound.MacDiscovery = ""
		}, []string{"CARP023 " + nsxDVPG + " error", "CARP025 " + nsxDVPG + " error"}, ""},
		{"025 segment unknown to NSX", func(s *inventory.Snapshot, _ *Scope) { s.NSX.Segments = s.NSX.Segments[:1] },
			[]string{"CARP025 " + opaqueID + " error"}, ""},
		{"025 bound profile not returned", func(s *inventory.Snapshot, _ *Scope) { s.NSX.MacDiscovery = s.NSX.MacDiscovery[:1] },
			[]string{"CARP025 " + nsxDVPG + " error", "CARP025 " + opaqueID + " error"}, "did not return MAC discovery profile"},
		{"016 NSX port group's switch misses a host", func(s *inventory.Snapshot, _ *Scope) {
			s.Hosts = append(s.Hosts, inventory.Host{ID: "host-3", Name: "esx-3"})
			s.Clusters[0].HostIDs = append(s.Clusters[0].HostIDs, "host-3")
			s.OpaqueNetworks[0].HostIDs = append(s.OpaqueNetworks[0].HostIDs, "host-3")
		}, []string{"CARP016 host-3:" + segA + " error"}, "can run on this host of cluster fw (domain-c1), but the host is not a member of its switch"},
		{"016 opaque network misses a host", func(s *inventory.Snapshot, _ *Scope) { s.OpaqueNetworks[0].HostIDs = []string{"host-2"} },
			[]string{"CARP016 host-1:ls-b error"}, "the opaque network does not reach the host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, sc := nsxBase(), nsxScope()
			tc.edit(&s, &sc)
			fs := Evaluate(s, sc)
			var got []string
			for _, f := range fs {
				got = append(got, f.Code+" "+f.ObjectID+" "+string(f.Severity))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v\nwant %v\nmessages: %v", got, tc.want, messages(fs))
			}
			if tc.wants != "" && !strings.Contains(fs[0].Message, tc.wants) {
				t.Errorf("message %q lacks %q", fs[0].Message, tc.wants)
			}
		})
	}
}

func messages(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Message
	}
	return out
}

// The same port group, standard: the vSphere rules judge it.
func TestEvaluateNSXOnlySkipsNSX(t *testing.T) {
	s, sc := nsxBase(), nsxScope()
	s.DVPortGroups[0].NSX = nil
	sc.DVPortGroups = []string{nsxDVPG}
	got := keys(Evaluate(s, sc))
	want := []string{"CARP010 " + nsxDVPG, "CARP013 " + nsxDVPG, "CARP015 dvs-9:7"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestNSXManagedPortGroup(t *testing.T) {
	s := nsxBase()
	fs := NSXManagedPortGroup(s, nsxDVPG)
	if len(fs) != 1 || fs[0].Code != CodeNSXManagedPortGroup || fs[0].ObjectID != nsxDVPG || fs[0].Severity != SeverityError {
		t.Fatalf("got %v", keys(fs))
	}
	for _, w := range []string{`port group "FW-NSX" (dvportgroup-55) on dvs-nsx (dvs-9)`, "segment " + segA, nsxtMacProfile, nsxtSpoofGuard, nsxtPortBinding} {
		if !strings.Contains(fs[0].Message, w) {
			t.Errorf("message lacks %q: %s", w, fs[0].Message)
		}
	}
	s.DVPortGroups[0].NSX = nil
	if fs := NSXManagedPortGroup(s, nsxDVPG); fs != nil {
		t.Errorf("standard port group: got %v", keys(fs))
	}
	if fs := NSXManagedPortGroup(s, "dvportgroup-404"); fs != nil {
		t.Errorf("missing port group: got %v", keys(fs))
	}
}

func TestIsVirtualMAC(t *testing.T) {
	for mac, want := range map[string]bool{"00:00:5e:00:01:0a": true, "00-00-5E-00-02-01": true, "00:00:5e:00:03:01": false, "00:50:56:00:01:0a": false, "": false} {
		if got := isVirtualMAC(mac); got != want {
			t.Errorf("isVirtualMAC(%q) = %v", mac, got)
		}
	}
}
