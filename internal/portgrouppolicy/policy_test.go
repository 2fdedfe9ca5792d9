package portgrouppolicy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func TestParsePortGroupID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    pgTarget
		wantErr bool
	}{
		{in: "host-21:FW-WAN", want: pgTarget{HostID: "host-21", PortGroup: "FW-WAN"}},
		{in: "host-21:FW:with:colons", want: pgTarget{HostID: "host-21", PortGroup: "FW:with:colons"}},
		{in: "ha-host:VM Network", want: pgTarget{HostID: "ha-host", PortGroup: "VM Network"}},
		{in: "dvportgroup-42", want: pgTarget{DVPortGroupID: "dvportgroup-42"}},
		{in: " dvportgroup-42 ", want: pgTarget{DVPortGroupID: "dvportgroup-42"}},
		{in: "FW-WAN", wantErr: true},
		{in: "host-21", wantErr: true},
		{in: "host-21:", wantErr: true},
		{in: "esx-01:FW-WAN", wantErr: true},
		{in: "dvportgroup-", wantErr: true},
		{in: "dvportgroup-42:x", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range cases {
		got, err := parsePortGroupID(tc.in)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "host-21:FW-WAN") || !strings.Contains(err.Error(), "dvportgroup-42") {
				t.Errorf("%q: want an error naming both formats, got %v / %+v", tc.in, err, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if round, err := parsePortGroupID(got.ID()); err != nil || round != got {
			t.Errorf("%q: ID() %q does not parse back", tc.in, got.ID())
		}
	}
}

func TestMergeTeaming(t *testing.T) {
	t.Parallel()
	eff := inventory.Effective{LoadBalancing: "loadbalance_srcid", ActiveUplinks: []string{"a", "b"}, StandbyUplinks: []string{"c"}}
	ownOrder := inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"x"}, Standby: []string{"y"}}, NotifySwitches: inventory.Ptr(true)}
	cases := []struct {
		name string
		own  inventory.Teaming
		spec teamingSpec
		want inventory.Teaming
	}{
		{name: "nothing set keeps own", own: ownOrder, spec: teamingSpec{}, want: ownOrder},
		{name: "policy only", spec: teamingSpec{LoadBalancing: inventory.Ptr("loadbalance_ip")}, want: inventory.Teaming{Policy: inventory.Ptr("loadbalance_ip")}},
		{name: "failback inverts rolling order", spec: teamingSpec{Failback: inventory.Ptr(true)}, want: inventory.Teaming{RollingOrder: inventory.Ptr(false)}},
		{name: "beacon", spec: teamingSpec{FailureDetection: inventory.Ptr(FailureBeaconProbing)}, want: inventory.Teaming{CheckBeacon: inventory.Ptr(true)}},
		{name: "link status", spec: teamingSpec{FailureDetection: inventory.Ptr(FailureLinkStatus)}, want: inventory.Teaming{CheckBeacon: inventory.Ptr(false)}},
		{name: "active only, standby from effective minus active", spec: teamingSpec{Active: []string{"c"}, HasActive: true},
			want: inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"c"}, Standby: []string{}}}},
		{name: "standby only, active from own order minus standby", own: ownOrder, spec: teamingSpec{Standby: []string{"x"}, HasStandby: true},
			want: inventory.Teaming{NotifySwitches: inventory.Ptr(true), Order: &inventory.UplinkOrder{Active: []string{}, Standby: []string{"x"}}}},
		{name: "both", spec: teamingSpec{Active: []string{"b"}, HasActive: true, Standby: []string{}, HasStandby: true},
			want: inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"b"}, Standby: []string{}}}},
	}
	for _, tc := range cases {
		got := mergeTeaming(tc.own, eff, tc.spec)
		if !teamingEqual(got, tc.want) {
			t.Errorf("%s: got %s, want %s", tc.name, fmtTeam(got), fmtTeam(tc.want))
		}
	}
	// The input is not modified.
	if !teamingEqual(ownOrder, inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"x"}, Standby: []string{"y"}}, NotifySwitches: inventory.Ptr(true)}) {
		t.Error("mergeTeaming modified its input")
	}
}

func fmtTeam(t inventory.Teaming) string {
	s := newSavedPolicy(inventory.Security{}, t, nil)
	return s.encode()
}

func TestEffectiveAfter(t *testing.T) {
	t.Parallel()
	before := inventory.Effective{LoadBalancing: "loadbalance_srcid", NotifySwitches: true, Failback: true, ActiveUplinks: []string{"a", "b"}, StandbyUplinks: []string{}}
	got := effectiveAfter(before,
		inventory.Security{AllowPromiscuous: inventory.Ptr(true), MacChanges: inventory.Ptr(false)}, // forged inherits: keeps false
		inventory.Teaming{Policy: inventory.Ptr("loadbalance_ip"), RollingOrder: inventory.Ptr(true), CheckBeacon: inventory.Ptr(true), Order: &inventory.UplinkOrder{Active: []string{"b"}, Standby: []string{"a"}}})
	want := inventory.Effective{AllowPromiscuous: true, LoadBalancing: "loadbalance_ip", NotifySwitches: true, Failback: false, BeaconProbing: true,
		ActiveUplinks: []string{"b"}, StandbyUplinks: []string{"a"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// Nothing written: unchanged, and a copy.
	same := effectiveAfter(before, inventory.Security{}, inventory.Teaming{})
	if !reflect.DeepEqual(same, before) {
		t.Errorf("no-op changed the policy: %+v", same)
	}
	same.ActiveUplinks[0] = "z"
	if before.ActiveUplinks[0] != "a" {
		t.Error("effectiveAfter shares its input's slices")
	}
}

func TestSavedPolicyRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sec  inventory.Security
		team inventory.Teaming
		ml   *inventory.MacLearning
	}{
		{}, // everything inherited
		{sec: inventory.Security{AllowPromiscuous: inventory.Ptr(false)}},
		{sec: inventory.Security{AllowPromiscuous: inventory.Ptr(true), MacChanges: inventory.Ptr(false), ForgedTransmits: inventory.Ptr(true)},
			team: inventory.Teaming{Policy: inventory.Ptr("failover_explicit"), NotifySwitches: inventory.Ptr(false), RollingOrder: inventory.Ptr(true), CheckBeacon: inventory.Ptr(false),
				Order: &inventory.UplinkOrder{Active: []string{"uplink1"}, Standby: []string{}}},
			ml: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: false, Limit: 10, LimitPolicy: "allow"}},
	}
	for i, tc := range cases {
		enc := newSavedPolicy(tc.sec, tc.team, tc.ml).encode()
		sp, err := decodeSavedPolicy(enc)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if !securityEqual(sp.security(), tc.sec) || !teamingEqual(sp.teaming(), tc.team) || !macLearningEqual(sp.macLearning(), tc.ml) {
			t.Errorf("%d: %s did not round-trip", i, enc)
		}
	}
	if _, err := decodeSavedPolicy("{not json"); err == nil {
		t.Error("garbage decoded")
	}
	if got := newSavedPolicy(inventory.Security{}, inventory.Teaming{}, nil).encode(); got != `{}` {
		t.Errorf("everything inherited encodes as %s, want {} (inherited fields absent)", got)
	}
}

// TestSavedPolicyOldFormat: original_policy as earlier versions wrote it,
// every inherited field null, still decodes to what it saved.
func TestSavedPolicyOldFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		old  string
		sec  inventory.Security
		team inventory.Teaming
	}{
		{old: `{"allow_promiscuous":null,"allow_mac_changes":null,"allow_forged_transmits":null,"load_balancing":null,"notify_switches":null,"rolling_order":null,"check_beacon":null,"uplink_order":null,"mac_learning":null}`},
		{old: `{"allow_promiscuous":false,"allow_mac_changes":null,"allow_forged_transmits":true,"load_balancing":"loadbalance_ip","notify_switches":null,"rolling_order":null,"check_beacon":null,"uplink_order":{"active":["vmnic1"],"standby":[]},"mac_learning":null}`,
			sec:  inventory.Security{AllowPromiscuous: inventory.Ptr(false), ForgedTransmits: inventory.Ptr(true)},
			team: inventory.Teaming{Policy: inventory.Ptr("loadbalance_ip"), Order: &inventory.UplinkOrder{Active: []string{"vmnic1"}, Standby: []string{}}}},
	}
	for i, tc := range cases {
		sp, err := decodeSavedPolicy(tc.old)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if !securityEqual(sp.security(), tc.sec) || !teamingEqual(sp.teaming(), tc.team) || sp.macLearning() != nil {
			t.Errorf("%d: %s decoded as %+v", i, tc.old, sp)
		}
		if again := sp.encode(); strings.Contains(again, "null") {
			t.Errorf("%d: re-encoded with nulls: %s", i, again)
		}
	}
}

func TestUnknownUplinks(t *testing.T) {
	t.Parallel()
	got := unknownUplinks(teamingSpec{Active: []string{"vmnic1", "vmnic9"}, Standby: []string{"vmnic9", "lag1"}}, []string{"vmnic1", "vmnic2"})
	if want := []string{"vmnic9", "lag1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := unknownUplinks(teamingSpec{Active: []string{"vmnic1"}}, []string{"vmnic1"}); got != nil {
		t.Errorf("got %v, want none", got)
	}
}

func TestEqualHelpers(t *testing.T) {
	t.Parallel()
	if securityEqual(inventory.Security{AllowPromiscuous: inventory.Ptr(false)}, inventory.Security{}) {
		t.Error("explicit false equals inherited")
	}
	if teamingEqual(inventory.Teaming{Order: &inventory.UplinkOrder{}}, inventory.Teaming{}) {
		t.Error("an explicit empty order equals an inherited one")
	}
	if macLearningEqual(&inventory.MacLearning{}, nil) || !macLearningEqual(nil, nil) {
		t.Error("macLearningEqual")
	}
	if got := mdList([]string{"a", "b", "c"}); got != "`a`, `b` or `c`" {
		t.Errorf("mdList: %s", got)
	}
}
